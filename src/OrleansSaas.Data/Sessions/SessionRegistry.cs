using Npgsql;
using OrleansSaas.Contracts.Sessions;

namespace OrleansSaas.Data.Sessions;

public sealed record SessionRegistration(
    string TenantId, string SessionId, string Name, string Engine, SessionStatus Status,
    bool ShouldBeConnected, string? PhoneNumber, string? HostSilo, DateTimeOffset CreatedAt);

/// <summary>
/// The sessions table: a queryable copy of each session grain's headline state, written by the grain.
/// It answers "which sessions should be connected but have no live host" without activating grains.
/// </summary>
public sealed class SessionRegistry(NpgsqlDataSource db)
{
    public async Task SaveAsync(SessionRegistration session)
    {
        await using var command = db.CreateCommand("""
            INSERT INTO sessions (tenant_id, session_id, name, engine, status, desired_state, phone_number, host_silo, created_at, updated_at)
            VALUES (@tenant, @session, @name, @engine, @status, @desired, @phone, @host, @created, now())
            ON CONFLICT (tenant_id, session_id) DO UPDATE SET
                status = excluded.status, desired_state = excluded.desired_state, phone_number = excluded.phone_number,
                host_silo = excluded.host_silo, updated_at = now()
            """);
        command.Parameters.AddWithValue("tenant", session.TenantId);
        command.Parameters.AddWithValue("session", session.SessionId);
        command.Parameters.AddWithValue("name", session.Name);
        command.Parameters.AddWithValue("engine", session.Engine);
        command.Parameters.AddWithValue("status", session.Status.ToDb());
        command.Parameters.AddWithValue("desired", session.ShouldBeConnected ? "connected" : "stopped");
        command.Parameters.AddWithValue("phone", (object?)session.PhoneNumber ?? DBNull.Value);
        command.Parameters.AddWithValue("host", (object?)session.HostSilo ?? DBNull.Value);
        command.Parameters.AddWithValue("created", session.CreatedAt);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Session keys that should be connected but whose last host is not among the live silos.</summary>
    public async Task<IReadOnlyList<string>> ListOrphanedAsync(IReadOnlyCollection<string> liveSilos, int limit)
    {
        await using var command = db.CreateCommand("""
            SELECT tenant_id, session_id FROM sessions
            WHERE desired_state = 'connected' AND (host_silo IS NULL OR NOT host_silo = ANY(@live))
            ORDER BY updated_at LIMIT @limit
            """);
        command.Parameters.AddWithValue("live", liveSilos.ToArray());
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync())
            keys.Add(SessionKey.Format(reader.GetString(0), reader.GetString(1)));
        return keys;
    }
}
