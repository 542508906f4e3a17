using Npgsql;

namespace OrleansSaas.Data.Admin;

/// <summary>A named admin key's public details; never its secret or hash.</summary>
public sealed record AdminKeyRecord(
    string KeyId, string Name, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

/// <summary>The admin_keys table. Read on every admin request (admin traffic is light), so a revocation takes effect at once on every gateway.</summary>
public sealed class AdminKeyStore(NpgsqlDataSource db)
{
    private const string Columns = "key_id, name, created_at, created_by, revoked_at, last_used_at";
    private static readonly TimeSpan UseRecordingInterval = TimeSpan.FromMinutes(1);

    /// <summary>False when a live key already has this name.</summary>
    public async Task<bool> InsertAsync(AdminKeyRecord key, byte[] secretHash)
    {
        await using var command = db.CreateCommand("""
            INSERT INTO admin_keys (key_id, name, secret_hash, created_at, created_by) VALUES (@id, @name, @hash, @created, @by)
            ON CONFLICT (name) WHERE revoked_at IS NULL DO NOTHING
            """);
        command.Parameters.AddWithValue("id", key.KeyId);
        command.Parameters.AddWithValue("name", key.Name);
        command.Parameters.AddWithValue("hash", secretHash);
        command.Parameters.AddWithValue("created", key.CreatedAt);
        command.Parameters.AddWithValue("by", key.CreatedBy);
        return await command.ExecuteNonQueryAsync() == 1;
    }

    /// <summary>The live key with this id and its secret's hash, or null when there is none or it is revoked.</summary>
    public async Task<(AdminKeyRecord Key, byte[] SecretHash)?> FindLiveAsync(string keyId)
    {
        await using var command = db.CreateCommand($"SELECT {Columns}, secret_hash FROM admin_keys WHERE key_id = @id AND revoked_at IS NULL");
        command.Parameters.AddWithValue("id", keyId);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (Read(reader), reader.GetFieldValue<byte[]>(6)) : null;
    }

    /// <summary>Moves last_used_at forward when it is more than a minute old, so most requests write nothing.</summary>
    public async Task RecordUseAsync(AdminKeyRecord key, DateTimeOffset usedAt)
    {
        if (key.LastUsedAt is { } last && usedAt - last < UseRecordingInterval) return;
        await using var command = db.CreateCommand(
            "UPDATE admin_keys SET last_used_at = GREATEST(last_used_at, @used) WHERE key_id = @id");
        command.Parameters.AddWithValue("id", key.KeyId);
        command.Parameters.AddWithValue("used", usedAt);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<IReadOnlyList<AdminKeyRecord>> ListAsync()
    {
        await using var command = db.CreateCommand($"SELECT {Columns} FROM admin_keys ORDER BY created_at DESC, key_id DESC");
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<AdminKeyRecord>();
        while (await reader.ReadAsync()) keys.Add(Read(reader));
        return keys;
    }

    /// <summary>Revokes the key (once: a second revocation keeps the first time); null when there is no such key.</summary>
    public async Task<AdminKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt)
    {
        await using var command = db.CreateCommand($"""
            UPDATE admin_keys SET revoked_at = COALESCE(revoked_at, @revoked) WHERE key_id = @id RETURNING {Columns}
            """);
        command.Parameters.AddWithValue("id", keyId);
        command.Parameters.AddWithValue("revoked", revokedAt);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? Read(reader) : null;
    }

    private static AdminKeyRecord Read(NpgsqlDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5));
}
