using Npgsql;

namespace OrleansSaas.Data.Tenants;

/// <summary>An API key's public details; the secret's hash is only in the key grain's state.</summary>
public sealed record ApiKeyRecord(
    string KeyId, string TenantId, string? Name, IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

/// <summary>The api_keys table: a queryable copy of each key grain's state, written by the grain.</summary>
public sealed class ApiKeyStore(NpgsqlDataSource db)
{
    /// <summary>Inserts the key or records its revocation; never moves lastUsedAt.</summary>
    public async Task SaveAsync(ApiKeyRecord key)
    {
        await using var command = db.CreateCommand("""
            INSERT INTO api_keys (key_id, tenant_id, name, scopes, created_at, revoked_at)
            VALUES (@id, @tenant, @name, @scopes, @created, @revoked)
            ON CONFLICT (key_id) DO UPDATE SET revoked_at = excluded.revoked_at
            """);
        command.Parameters.AddWithValue("id", key.KeyId);
        command.Parameters.AddWithValue("tenant", key.TenantId);
        command.Parameters.AddWithValue("name", (object?)key.Name ?? DBNull.Value);
        command.Parameters.AddWithValue("scopes", key.Scopes.ToArray());
        command.Parameters.AddWithValue("created", key.CreatedAt);
        command.Parameters.AddWithValue("revoked", (object?)key.RevokedAt ?? DBNull.Value);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Moves lastUsedAt forward only, so a late write from an old activation cannot move it back.</summary>
    public async Task RecordUseAsync(string keyId, DateTimeOffset usedAt)
    {
        await using var command = db.CreateCommand(
            "UPDATE api_keys SET last_used_at = GREATEST(last_used_at, @used) WHERE key_id = @id");
        command.Parameters.AddWithValue("id", keyId);
        command.Parameters.AddWithValue("used", usedAt);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<ApiKeyRecord?> GetAsync(string tenantId, string keyId)
    {
        await using var command = db.CreateCommand($"SELECT {Columns} FROM api_keys WHERE tenant_id = @tenant AND key_id = @id");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("id", keyId);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? Read(reader) : null;
    }

    /// <summary>A tenant's keys (revoked ones too), newest first; <paramref name="after"/> is the last key id of the previous page.</summary>
    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string tenantId, string? after, int limit)
    {
        await using var command = db.CreateCommand($"""
            SELECT {Columns} FROM api_keys
            WHERE tenant_id = @tenant
              AND (@after::text IS NULL OR (created_at, key_id) <
                   (SELECT created_at, key_id FROM api_keys WHERE tenant_id = @tenant AND key_id = @after::text))
            ORDER BY created_at DESC, key_id DESC LIMIT @limit
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("after", (object?)after ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<ApiKeyRecord>();
        while (await reader.ReadAsync()) keys.Add(Read(reader));
        return keys;
    }

    private const string Columns = "key_id, tenant_id, name, scopes, created_at, revoked_at, last_used_at";

    private static ApiKeyRecord Read(NpgsqlDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetFieldValue<string[]>(3),
        reader.GetFieldValue<DateTimeOffset>(4),
        reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
        reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6));
}
