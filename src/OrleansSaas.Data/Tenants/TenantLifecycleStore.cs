using Npgsql;

namespace OrleansSaas.Data.Tenants;

/// <summary>
/// The SQL of a tenant's data lifecycle: what is past its retention (each tenant's plan, or the default)
/// and deleted tenants past their grace period, and the purge of what a deleted tenant left in the tables.
/// </summary>
public sealed class TenantLifecycleStore(NpgsqlDataSource db)
{
    // A tenant's cut-off: its plan's days, or the default; tenants without a row (none in practice) use the default.
    private const string Cutoff = "now() - COALESCE(t.message_retention_days * interval '1 day', @default)";

    /// <summary>Deletes up to <paramref name="limit"/> messages older than their tenant's retention; the number deleted.</summary>
    public async Task<int> DeleteExpiredMessagesAsync(TimeSpan defaultRetention, int limit)
    {
        await using var command = db.CreateCommand($"""
            DELETE FROM messages WHERE ctid = ANY (ARRAY(
                SELECT m.ctid FROM messages m LEFT JOIN tenants t ON t.tenant_id = m.tenant_id
                WHERE m.created_at < {Cutoff} LIMIT @limit))
            """);
        command.Parameters.AddWithValue("default", defaultRetention);
        command.Parameters.AddWithValue("limit", limit);
        var deleted = await command.ExecuteNonQueryAsync();
        // The web engine's own copies of messages (for quotes and re-sends) age out with them.
        await using var web = db.CreateCommand($"""
            DELETE FROM web_messages WHERE ctid = ANY (ARRAY(
                SELECT w.ctid FROM web_messages w LEFT JOIN tenants t ON t.tenant_id = w.tenant_id
                WHERE w.created_at < {Cutoff} LIMIT @limit))
            """);
        web.Parameters.AddWithValue("default", defaultRetention);
        web.Parameters.AddWithValue("limit", limit);
        return deleted + await web.ExecuteNonQueryAsync();
    }

    /// <summary>Up to <paramref name="limit"/> media (tenant, id) older than their tenant's retention.</summary>
    public async Task<IReadOnlyList<(string TenantId, string MediaId)>> ListExpiredMediaAsync(TimeSpan defaultRetention, int limit)
    {
        await using var command = db.CreateCommand($"""
            SELECT m.tenant_id, m.id FROM media m LEFT JOIN tenants t ON t.tenant_id = m.tenant_id
            WHERE m.created_at < {Cutoff} ORDER BY m.created_at LIMIT @limit
            """);
        command.Parameters.AddWithValue("default", defaultRetention);
        command.Parameters.AddWithValue("limit", limit);
        return await ReadPairsAsync(command);
    }

    /// <summary>Deleted tenants whose grace period is over and whose data is not purged yet.</summary>
    public async Task<IReadOnlyList<string>> ListTenantsToPurgeAsync(TimeSpan grace, int limit)
    {
        await using var command = db.CreateCommand("""
            SELECT tenant_id FROM tenants WHERE status = 'deleted' AND purged_at IS NULL AND deleted_at < now() - @grace
            ORDER BY deleted_at LIMIT @limit
            """);
        command.Parameters.AddWithValue("grace", grace);
        command.Parameters.AddWithValue("limit", limit);
        var tenants = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) tenants.Add(reader.GetString(0));
        return tenants;
    }

    public async Task<IReadOnlyList<string>> ListSessionIdsAsync(string tenantId)
    {
        await using var command = db.CreateCommand("SELECT session_id FROM sessions WHERE tenant_id = @tenant");
        command.Parameters.AddWithValue("tenant", tenantId);
        var sessions = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) sessions.Add(reader.GetString(0));
        return sessions;
    }

    public async Task<IReadOnlyList<string>> ListMediaIdsAsync(string tenantId)
    {
        await using var command = db.CreateCommand("SELECT id FROM media WHERE tenant_id = @tenant");
        command.Parameters.AddWithValue("tenant", tenantId);
        var media = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) media.Add(reader.GetString(0));
        return media;
    }

    /// <summary>
    /// Deletes, in one transaction, every row the tenant's sessions and media did not take with them, and marks
    /// the tenant purged. The tenant row stays (so its id is never reused) and so does the audit log (who did what).
    /// </summary>
    public async Task PurgeRemainingAsync(string tenantId)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var table in (string[])["messages", "web_messages", "web_auth_keys", "web_auth_creds", "engine_state", "sessions",
                     "webhook_attempts", "webhook_deliveries", "webhook_subscriptions", "event_consumers", "event_queue", "event_numbers", "events", "event_sequences",
                     "cloud_api_inbox", "cloud_api_hooks", "media_usage", "api_keys"])
        {
            await using var delete = new NpgsqlCommand($"DELETE FROM {table} WHERE tenant_id = @tenant", connection, transaction);
            delete.Parameters.AddWithValue("tenant", tenantId);
            await delete.ExecuteNonQueryAsync();
        }
        await using var mark = new NpgsqlCommand("UPDATE tenants SET purged_at = now() WHERE tenant_id = @tenant", connection, transaction);
        mark.Parameters.AddWithValue("tenant", tenantId);
        await mark.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    private static async Task<IReadOnlyList<(string, string)>> ReadPairsAsync(NpgsqlCommand command)
    {
        var pairs = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) pairs.Add((reader.GetString(0), reader.GetString(1)));
        return pairs;
    }
}
