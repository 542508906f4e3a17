using Npgsql;
using OrleansSaas.Contracts.Tenants;

namespace OrleansSaas.Data.Tenants;

/// <summary>The tenants table: a queryable copy of each tenant grain's state, written by the grain.</summary>
public sealed class TenantStore(NpgsqlDataSource db)
{
    public async Task SaveAsync(TenantView tenant, DateTimeOffset? deletedAt)
    {
        await using var command = db.CreateCommand("""
            INSERT INTO tenants (tenant_id, name, status, max_sessions, messages_per_minute, media_storage_bytes, message_retention_days,
                                 created_at, suspended_at, deleted_at, updated_at)
            VALUES (@id, @name, @status, @maxSessions, @messagesPerMinute, @mediaStorageBytes, @retentionDays, @created, @suspended, @deleted, now())
            ON CONFLICT (tenant_id) DO UPDATE SET
                name = excluded.name, status = excluded.status, max_sessions = excluded.max_sessions,
                messages_per_minute = excluded.messages_per_minute, media_storage_bytes = excluded.media_storage_bytes,
                message_retention_days = excluded.message_retention_days,
                suspended_at = excluded.suspended_at, deleted_at = excluded.deleted_at, updated_at = now()
            """);
        command.Parameters.AddWithValue("id", tenant.Id);
        command.Parameters.AddWithValue("name", tenant.Name);
        command.Parameters.AddWithValue("status", ToDb(tenant.Status));
        command.Parameters.AddWithValue("maxSessions", tenant.Plan.MaxSessions);
        command.Parameters.AddWithValue("messagesPerMinute", tenant.Plan.MessagesPerMinute);
        command.Parameters.AddWithValue("mediaStorageBytes", tenant.Plan.MediaStorageBytes);
        command.Parameters.AddWithValue("retentionDays", (object?)tenant.Plan.MessageRetentionDays ?? DBNull.Value);
        command.Parameters.AddWithValue("created", tenant.CreatedAt);
        command.Parameters.AddWithValue("suspended", (object?)tenant.SuspendedAt ?? DBNull.Value);
        command.Parameters.AddWithValue("deleted", (object?)deletedAt ?? DBNull.Value);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Tenants that are not deleted, by id descending (newest first for generated ids); <paramref name="before"/> is the last id of the previous page.</summary>
    public async Task<IReadOnlyList<TenantView>> ListAsync(TenantStatus? status, string? before, int limit)
    {
        await using var command = db.CreateCommand("""
            SELECT tenant_id, name, status, max_sessions, messages_per_minute, media_storage_bytes, created_at, suspended_at, message_retention_days FROM tenants
            WHERE status <> 'deleted'
              AND (@status::text IS NULL OR status = @status::text)
              AND (@before::text IS NULL OR tenant_id < @before::text)
            ORDER BY tenant_id DESC LIMIT @limit
            """);
        command.Parameters.AddWithValue("status", status is { } filter ? ToDb(filter) : DBNull.Value);
        command.Parameters.AddWithValue("before", (object?)before ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync();
        var tenants = new List<TenantView>();
        while (await reader.ReadAsync())
        {
            tenants.Add(new TenantView(reader.GetString(0), reader.GetString(1), FromDb(reader.GetString(2)),
                new TenantPlan(reader.GetInt32(3), reader.GetInt32(4), reader.GetInt64(5), reader.IsDBNull(8) ? null : reader.GetInt32(8)),
                reader.GetFieldValue<DateTimeOffset>(6), reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7)));
        }
        return tenants;
    }

    private static string ToDb(TenantStatus status) => status switch
    {
        TenantStatus.Active => "active",
        TenantStatus.Suspended => "suspended",
        TenantStatus.Deleted => "deleted",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    private static TenantStatus FromDb(string value) => value switch
    {
        "active" => TenantStatus.Active,
        "suspended" => TenantStatus.Suspended,
        "deleted" => TenantStatus.Deleted,
        _ => throw new FormatException($"Unknown tenant status '{value}'."),
    };
}
