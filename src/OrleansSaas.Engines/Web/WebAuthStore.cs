using System.Text.Json.Nodes;
using Npgsql;
using OrleansSaas.Contracts.Sessions;

namespace OrleansSaas.Engines.Web;

/// <summary>
/// The sidecar's auth state in PostgreSQL (web_auth_creds, web_auth_keys). Values are opaque strings to us (Baileys'
/// BufferJSON); each is sealed under a purpose naming the session and the key's slot.
/// </summary>
public sealed class WebAuthStore(NpgsqlDataSource db, IEngineSealer sealer)
{
    public async Task<string?> LoadCredsAsync(string sessionKey)
    {
        var key = SessionKey.Parse(sessionKey);
        await using var command = db.CreateCommand("SELECT sealed FROM web_auth_creds WHERE tenant_id = @tenant AND session_id = @session");
        command.Parameters.AddWithValue("tenant", key.TenantId);
        command.Parameters.AddWithValue("session", key.SessionId);
        return await command.ExecuteScalarAsync() is byte[] box ? sealer.Open(CredsPurpose(sessionKey), box) : null;
    }

    public async Task SaveCredsAsync(string sessionKey, string creds)
    {
        var key = SessionKey.Parse(sessionKey);
        await using var command = db.CreateCommand("""
            INSERT INTO web_auth_creds (tenant_id, session_id, sealed) VALUES (@tenant, @session, @sealed)
            ON CONFLICT (tenant_id, session_id) DO UPDATE SET sealed = excluded.sealed, updated_at = now()
            """);
        command.Parameters.AddWithValue("tenant", key.TenantId);
        command.Parameters.AddWithValue("session", key.SessionId);
        command.Parameters.AddWithValue("sealed", sealer.Seal(CredsPurpose(sessionKey), creds));
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The stored keys among the asked ones, as <c>{type: {id: value}}</c>; missing ids are left out.</summary>
    public async Task<JsonObject> LoadKeysAsync(string sessionKey, IReadOnlyDictionary<string, string[]> wanted)
    {
        var key = SessionKey.Parse(sessionKey);
        var result = new JsonObject();
        foreach (var (type, ids) in wanted)
        {
            var found = new JsonObject();
            result[type] = found;
            if (ids.Length == 0) continue;
            await using var command = db.CreateCommand("""
                SELECT id, sealed FROM web_auth_keys WHERE tenant_id = @tenant AND session_id = @session AND type = @type AND id = ANY(@ids)
                """);
            command.Parameters.AddWithValue("tenant", key.TenantId);
            command.Parameters.AddWithValue("session", key.SessionId);
            command.Parameters.AddWithValue("type", type);
            command.Parameters.AddWithValue("ids", ids);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var id = reader.GetString(0);
                found[id] = sealer.Open(KeyPurpose(sessionKey, type, id), (byte[])reader[1]);
            }
        }
        return result;
    }

    /// <summary>One key-store batch (null deletes), all or nothing.</summary>
    public async Task SetKeysAsync(string sessionKey, IReadOnlyList<(string Type, string Id, string? Value)> batch)
    {
        var key = SessionKey.Parse(sessionKey);
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var npgBatch = new NpgsqlBatch(connection, transaction);
        foreach (var (type, id, value) in batch)
        {
            var command = new NpgsqlBatchCommand(value is null
                ? "DELETE FROM web_auth_keys WHERE tenant_id = $1 AND session_id = $2 AND type = $3 AND id = $4"
                : "INSERT INTO web_auth_keys (tenant_id, session_id, type, id, sealed) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, session_id, type, id) DO UPDATE SET sealed = excluded.sealed");
            command.Parameters.Add(new NpgsqlParameter { Value = key.TenantId });
            command.Parameters.Add(new NpgsqlParameter { Value = key.SessionId });
            command.Parameters.Add(new NpgsqlParameter { Value = type });
            command.Parameters.Add(new NpgsqlParameter { Value = id });
            if (value is not null) command.Parameters.Add(new NpgsqlParameter { Value = sealer.Seal(KeyPurpose(sessionKey, type, id), value) });
            npgBatch.BatchCommands.Add(command);
        }
        await using (npgBatch)
            if (npgBatch.BatchCommands.Count > 0) await npgBatch.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    /// <summary>Forgets the session's creds and keys (logout, delete): the next pairing starts from fresh creds.</summary>
    public async Task DeleteAsync(string sessionKey)
    {
        var key = SessionKey.Parse(sessionKey);
        await using var command = db.CreateCommand("""
            DELETE FROM web_auth_keys WHERE tenant_id = @tenant AND session_id = @session;
            DELETE FROM web_auth_creds WHERE tenant_id = @tenant AND session_id = @session;
            """);
        command.Parameters.AddWithValue("tenant", key.TenantId);
        command.Parameters.AddWithValue("session", key.SessionId);
        await command.ExecuteNonQueryAsync();
    }

    public async Task SaveMessageAsync(string sessionKey, string networkId, bool fromMe, string raw)
    {
        var key = SessionKey.Parse(sessionKey);
        await using var command = db.CreateCommand("""
            INSERT INTO web_messages (tenant_id, session_id, network_id, from_me, raw) VALUES (@tenant, @session, @id, @fromMe, @raw)
            ON CONFLICT (tenant_id, session_id, network_id) DO UPDATE SET raw = excluded.raw
            """);
        command.Parameters.AddWithValue("tenant", key.TenantId);
        command.Parameters.AddWithValue("session", key.SessionId);
        command.Parameters.AddWithValue("id", networkId);
        command.Parameters.AddWithValue("fromMe", fromMe);
        command.Parameters.AddWithValue("raw", raw);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<(string Raw, bool FromMe)?> FindMessageAsync(string sessionKey, string networkId)
    {
        var key = SessionKey.Parse(sessionKey);
        await using var command = db.CreateCommand("SELECT raw, from_me FROM web_messages WHERE tenant_id = @tenant AND session_id = @session AND network_id = @id");
        command.Parameters.AddWithValue("tenant", key.TenantId);
        command.Parameters.AddWithValue("session", key.SessionId);
        command.Parameters.AddWithValue("id", networkId);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetString(0), reader.GetBoolean(1)) : null;
    }

    public async Task DeleteMessagesAsync(string sessionKey)
    {
        var key = SessionKey.Parse(sessionKey);
        await using var command = db.CreateCommand("DELETE FROM web_messages WHERE tenant_id = @tenant AND session_id = @session");
        command.Parameters.AddWithValue("tenant", key.TenantId);
        command.Parameters.AddWithValue("session", key.SessionId);
        await command.ExecuteNonQueryAsync();
    }

    public static string CredsPurpose(string sessionKey) => $"web-creds\n{sessionKey}";

    public static string KeyPurpose(string sessionKey, string type, string id) => $"web-key\n{sessionKey}\n{type}\n{id}";
}
