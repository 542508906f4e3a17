using Npgsql;
using OrleansSaas.Contracts.Sessions;

namespace OrleansSaas.Engines.CloudApi;

/// <summary>A verified webhook body waiting to be processed.</summary>
public sealed record StoredWebhook(long Id, byte[] Body, DateTimeOffset ReceivedAt);

/// <summary>The cloud_api_hooks and cloud_api_inbox tables (schema/0012).</summary>
public sealed class CloudApiWebhookStore(NpgsqlDataSource db)
{
    public async Task CreateHookAsync(string hookId, string sessionKey)
    {
        var key = SessionKey.Parse(sessionKey);
        await using var command = db.CreateCommand("INSERT INTO cloud_api_hooks (hook_id, tenant_id, session_id) VALUES (@hook, @tenant, @session)");
        command.Parameters.AddWithValue("hook", hookId);
        command.Parameters.AddWithValue("tenant", key.TenantId);
        command.Parameters.AddWithValue("session", key.SessionId);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The session key a webhook id belongs to.</summary>
    public async Task<string?> FindSessionAsync(string hookId)
    {
        await using var command = db.CreateCommand("SELECT tenant_id, session_id FROM cloud_api_hooks WHERE hook_id = @hook");
        command.Parameters.AddWithValue("hook", hookId);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? SessionKey.Format(reader.GetString(0), reader.GetString(1)) : null;
    }

    public async Task DeleteSessionAsync(string sessionKey)
    {
        var key = SessionKey.Parse(sessionKey);
        await using var command = db.CreateCommand("""
            DELETE FROM cloud_api_hooks WHERE tenant_id = @tenant AND session_id = @session;
            DELETE FROM cloud_api_inbox WHERE tenant_id = @tenant AND session_id = @session;
            """);
        command.Parameters.AddWithValue("tenant", key.TenantId);
        command.Parameters.AddWithValue("session", key.SessionId);
        await command.ExecuteNonQueryAsync();
    }

    public async Task InsertAsync(string sessionKey, byte[] body)
    {
        var key = SessionKey.Parse(sessionKey);
        await using var command = db.CreateCommand("INSERT INTO cloud_api_inbox (tenant_id, session_id, body) VALUES (@tenant, @session, @body)");
        command.Parameters.AddWithValue("tenant", key.TenantId);
        command.Parameters.AddWithValue("session", key.SessionId);
        command.Parameters.AddWithValue("body", body);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<IReadOnlyList<StoredWebhook>> ListPendingAsync(string sessionKey, long afterId, int limit)
    {
        var key = SessionKey.Parse(sessionKey);
        await using var command = db.CreateCommand("""
            SELECT id, body, received_at FROM cloud_api_inbox
            WHERE tenant_id = @tenant AND session_id = @session AND id > @after ORDER BY id LIMIT @limit
            """);
        command.Parameters.AddWithValue("tenant", key.TenantId);
        command.Parameters.AddWithValue("session", key.SessionId);
        command.Parameters.AddWithValue("after", afterId);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<StoredWebhook>();
        while (await reader.ReadAsync()) rows.Add(new StoredWebhook(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1), reader.GetFieldValue<DateTimeOffset>(2)));
        return rows;
    }

    public async Task DeleteAsync(long id)
    {
        await using var command = db.CreateCommand("DELETE FROM cloud_api_inbox WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Sessions with webhooks stored before <paramref name="receivedBefore"/> and still unprocessed.</summary>
    public async Task<IReadOnlyList<string>> ListOverdueSessionsAsync(DateTimeOffset receivedBefore, int limit)
    {
        await using var command = db.CreateCommand("""
            SELECT DISTINCT tenant_id, session_id FROM cloud_api_inbox WHERE received_at < @before LIMIT @limit
            """);
        command.Parameters.AddWithValue("before", receivedBefore);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync()) keys.Add(SessionKey.Format(reader.GetString(0), reader.GetString(1)));
        return keys;
    }
}
