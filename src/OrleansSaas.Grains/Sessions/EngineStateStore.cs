using Npgsql;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Engines;

namespace OrleansSaas.Grains.Sessions;

/// <summary>
/// The engine_state table. Each row is sealed with <see cref="CredentialProtector"/> under a purpose bound to the
/// session, so a row copied to another session (or read as grain credentials) does not open.
/// </summary>
public sealed class EngineStateStore(NpgsqlDataSource db, CredentialProtector protector) : IEngineStateStore
{
    public async Task<string?> LoadAsync(string sessionKey)
    {
        var key = SessionKey.Parse(sessionKey);
        await using var command = db.CreateCommand("SELECT sealed FROM engine_state WHERE tenant_id = @tenant AND session_id = @session");
        command.Parameters.AddWithValue("tenant", key.TenantId);
        command.Parameters.AddWithValue("session", key.SessionId);
        return await command.ExecuteScalarAsync() is byte[] sealedBox ? protector.Unprotect(Purpose(sessionKey), sealedBox) : null;
    }

    public async Task SaveAsync(string sessionKey, string engine, string state)
    {
        var key = SessionKey.Parse(sessionKey);
        await using var command = db.CreateCommand("""
            INSERT INTO engine_state (tenant_id, session_id, engine, sealed, updated_at) VALUES (@tenant, @session, @engine, @sealed, now())
            ON CONFLICT (tenant_id, session_id) DO UPDATE SET engine = excluded.engine, sealed = excluded.sealed, updated_at = now()
            """);
        command.Parameters.AddWithValue("tenant", key.TenantId);
        command.Parameters.AddWithValue("session", key.SessionId);
        command.Parameters.AddWithValue("engine", engine);
        command.Parameters.AddWithValue("sealed", protector.Protect(Purpose(sessionKey), state));
        await command.ExecuteNonQueryAsync();
    }

    public async Task DeleteAsync(string sessionKey)
    {
        var key = SessionKey.Parse(sessionKey);
        await using var command = db.CreateCommand("DELETE FROM engine_state WHERE tenant_id = @tenant AND session_id = @session");
        command.Parameters.AddWithValue("tenant", key.TenantId);
        command.Parameters.AddWithValue("session", key.SessionId);
        await command.ExecuteNonQueryAsync();
    }

    public static string Purpose(string sessionKey) => $"engine-state\n{sessionKey}";
}
