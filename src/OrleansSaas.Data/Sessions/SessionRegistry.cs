using System.Text.Json;
using Npgsql;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Data.Events;

namespace OrleansSaas.Data.Sessions;

public sealed record SessionRegistration(
    string TenantId, string SessionId, string Name, string Engine, SessionStatus Status,
    bool ShouldBeConnected, string? PhoneNumber, string? HostSilo, DateTimeOffset CreatedAt);

public sealed record SessionSummary(string Id, string Name, string Engine, SessionStatus Status, string? PhoneNumber, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// The sessions table: a queryable copy of each session grain's headline state, written by the grain.
/// It answers "which sessions should be connected but have no live host" without activating grains.
/// </summary>
public sealed class SessionRegistry(NpgsqlDataSource db, GroupCommit commits)
{
    private const string Upsert = """
        INSERT INTO sessions (tenant_id, session_id, name, engine, status, desired_state, phone_number, host_silo, created_at, updated_at)
        VALUES (@tenant, @session, @name, @engine, @status, @desired, @phone, @host, @created, now())
        ON CONFLICT (tenant_id, session_id) DO UPDATE SET
            status = excluded.status, desired_state = excluded.desired_state, phone_number = excluded.phone_number,
            host_silo = excluded.host_silo, updated_at = now()
        """;

    /// <summary>Saves the session's row; with <paramref name="change"/>, its session.status event is appended in the same statement.</summary>
    public async Task<AppendedEvents> SaveAsync(SessionRegistration session, StatusChange? change = null)
    {
        var command = new NpgsqlBatchCommand(change is null ? Upsert : $"""
            WITH saved AS ({Upsert} RETURNING 1),
            {EventAppend.AppendEvents("saved", $"'{EventTypes.SessionStatus}'", "@session", "@at", "@data::json")}
            """);
        if (change is not null)
        {
            command.Parameters.AddWithValue("at", change.At);
            command.Parameters.AddWithValue("data", JsonSerializer.Serialize(new
            {
                sessionId = session.SessionId,
                status = change.Status.ToDb(),
                reason = change.Reason,
                details = change.Details,
                phoneNumber = session.PhoneNumber,
                silo = change.Silo,
                at = change.At,
            }));
        }
        command.Parameters.AddWithValue("tenant", session.TenantId);
        command.Parameters.AddWithValue("session", session.SessionId);
        command.Parameters.AddWithValue("name", session.Name);
        command.Parameters.AddWithValue("engine", session.Engine);
        command.Parameters.AddWithValue("status", session.Status.ToDb());
        command.Parameters.AddWithValue("desired", session.ShouldBeConnected ? "connected" : "stopped");
        command.Parameters.AddWithValue("phone", (object?)session.PhoneNumber ?? DBNull.Value);
        command.Parameters.AddWithValue("host", (object?)session.HostSilo ?? DBNull.Value);
        command.Parameters.AddWithValue("created", session.CreatedAt);
        if (change is null)
        {
            await commits.ExecuteAsync(GroupCommit.KeyOf(session.TenantId, session.SessionId), command);
            return AppendedEvents.None;
        }
        return await EventAppend.ExecuteAsync(commits, GroupCommit.KeyOf(session.TenantId, session.SessionId), command);
    }

    /// <summary>Removes the session's row and appends its session.deleted event in the same statement.</summary>
    public async Task<AppendedEvents> DeleteAsync(string tenantId, string sessionId)
    {
        var command = new NpgsqlBatchCommand($"""
            WITH deleted AS (DELETE FROM sessions WHERE tenant_id = @tenant AND session_id = @session RETURNING session_id),
            {EventAppend.AppendEvents("deleted", $"'{EventTypes.SessionDeleted}'", "@session", "now()", "json_build_object('sessionId', deleted.session_id)")}
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("session", sessionId);
        return await EventAppend.ExecuteAsync(commits, GroupCommit.KeyOf(tenantId, sessionId), command);
    }

    public async Task<IReadOnlyList<string>> ListIdsAsync(string tenantId)
    {
        await using var command = db.CreateCommand("SELECT session_id FROM sessions WHERE tenant_id = @tenant");
        command.Parameters.AddWithValue("tenant", tenantId);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync()) ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>Which of these ids are sessions of the tenant.</summary>
    public async Task<IReadOnlySet<string>> ExistingAsync(string tenantId, IReadOnlyCollection<string> sessionIds)
    {
        await using var command = db.CreateCommand("SELECT session_id FROM sessions WHERE tenant_id = @tenant AND session_id = ANY(@ids)");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("ids", sessionIds.ToArray());
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync()) ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>A tenant's sessions, newest first; <paramref name="before"/> is the last id of the previous page.</summary>
    public async Task<IReadOnlyList<SessionSummary>> ListAsync(string tenantId, SessionStatus? status, string? before, int limit)
    {
        await using var command = db.CreateCommand("""
            SELECT session_id, name, engine, status, phone_number, created_at, updated_at FROM sessions
            WHERE tenant_id = @tenant
              AND (@status::text IS NULL OR status = @status::text)
              AND (@before::text IS NULL OR session_id < @before::text)
            ORDER BY session_id DESC LIMIT @limit
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("status", (object?)status?.ToDb() ?? DBNull.Value);
        command.Parameters.AddWithValue("before", (object?)before ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync();
        var sessions = new List<SessionSummary>();
        while (await reader.ReadAsync())
        {
            sessions.Add(ReadSummary(reader, 0));
        }
        return sessions;
    }

    /// <summary>The sessions a silo hosts (by its last report), for operators.</summary>
    public async Task<IReadOnlyList<(string TenantId, SessionSummary Session)>> ListByHostAsync(string hostSilo, int limit)
    {
        await using var command = db.CreateCommand("""
            SELECT tenant_id, session_id, name, engine, status, phone_number, created_at, updated_at FROM sessions
            WHERE host_silo = @host AND desired_state = 'connected' ORDER BY session_id LIMIT @limit
            """);
        command.Parameters.AddWithValue("host", hostSilo);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync();
        var sessions = new List<(string, SessionSummary)>();
        while (await reader.ReadAsync())
        {
            sessions.Add((reader.GetString(0), ReadSummary(reader, 1)));
        }
        return sessions;
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

    // session_id, name, engine, status, phone_number, created_at, updated_at from the given column on.
    private static SessionSummary ReadSummary(NpgsqlDataReader reader, int first) => new(
        reader.GetString(first), reader.GetString(first + 1), reader.GetString(first + 2), DbEnum.ToSessionStatus(reader.GetString(first + 3)),
        reader.IsDBNull(first + 4) ? null : reader.GetString(first + 4), reader.GetFieldValue<DateTimeOffset>(first + 5), reader.GetFieldValue<DateTimeOffset>(first + 6));
}
