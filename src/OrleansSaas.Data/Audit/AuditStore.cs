using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace OrleansSaas.Data.Audit;

public static class AuditActors
{
    public const string Tenant = "tenant";
    public const string Admin = "admin";
    public const string System = "system";

    public static readonly IReadOnlyList<string> All = [Tenant, Admin, System];
}

/// <summary>One thing someone did. <paramref name="Details"/> holds small facts, never request bodies or secrets.</summary>
public sealed record AuditEntry(
    DateTimeOffset At, string Actor, string? TenantId, string? KeyId, string Action, string Target, int Outcome,
    string? RequestId, IReadOnlyDictionary<string, string>? Details = null);

public sealed record AuditRecord(long Id, AuditEntry Entry);

/// <summary>Filters of an audit listing; null means any. <paramref name="Before"/> is the last id of the previous page.</summary>
public sealed record AuditQuery(
    string? TenantId, string? Actor, string? KeyId, string? Action, DateTimeOffset? From, DateTimeOffset? To, long? Before, int Limit);

/// <summary>The audit_log table: appended in batches, read newest first with keyset pagination.</summary>
public sealed class AuditStore(NpgsqlDataSource db)
{
    public async Task AppendAsync(IReadOnlyCollection<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        if (entries.Count == 0) return;
        // One statement for the whole batch: one round trip however many requests it records.
        await using var command = db.CreateCommand("""
            INSERT INTO audit_log (at, actor, tenant_id, key_id, action, target, outcome, request_id, details)
            SELECT * FROM unnest(@at, @actor, @tenant, @key, @action, @target, @outcome, @request, @details)
            """);
        command.Parameters.AddWithValue("at", entries.Select(e => e.At).ToArray());
        command.Parameters.AddWithValue("actor", entries.Select(e => e.Actor).ToArray());
        command.Parameters.AddWithValue("tenant", entries.Select(e => e.TenantId).ToArray());
        command.Parameters.AddWithValue("key", entries.Select(e => e.KeyId).ToArray());
        command.Parameters.AddWithValue("action", entries.Select(e => e.Action).ToArray());
        command.Parameters.AddWithValue("target", entries.Select(e => e.Target).ToArray());
        command.Parameters.AddWithValue("outcome", entries.Select(e => e.Outcome).ToArray());
        command.Parameters.AddWithValue("request", entries.Select(e => e.RequestId).ToArray());
        command.Parameters.Add(new NpgsqlParameter("details", NpgsqlDbType.Array | NpgsqlDbType.Jsonb)
        {
            Value = entries.Select(e => e.Details is null ? null : JsonSerializer.Serialize(e.Details)).ToArray(),
        });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AuditRecord>> ListAsync(AuditQuery query)
    {
        await using var command = db.CreateCommand("""
            SELECT id, at, actor, tenant_id, key_id, action, target, outcome, request_id, details FROM audit_log
            WHERE (@tenant::text IS NULL OR tenant_id = @tenant::text)
              AND (@actor::text IS NULL OR actor = @actor::text)
              AND (@key::text IS NULL OR key_id = @key::text)
              AND (@action::text IS NULL OR action = @action::text)
              AND (@from::timestamptz IS NULL OR at >= @from::timestamptz)
              AND (@to::timestamptz IS NULL OR at < @to::timestamptz)
              AND (@before::bigint IS NULL OR id < @before::bigint)
            ORDER BY id DESC LIMIT @limit
            """);
        command.Parameters.AddWithValue("tenant", (object?)query.TenantId ?? DBNull.Value);
        command.Parameters.AddWithValue("actor", (object?)query.Actor ?? DBNull.Value);
        command.Parameters.AddWithValue("key", (object?)query.KeyId ?? DBNull.Value);
        command.Parameters.AddWithValue("action", (object?)query.Action ?? DBNull.Value);
        command.Parameters.AddWithValue("from", (object?)query.From ?? DBNull.Value);
        command.Parameters.AddWithValue("to", (object?)query.To ?? DBNull.Value);
        command.Parameters.AddWithValue("before", (object?)query.Before ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", query.Limit);
        await using var reader = await command.ExecuteReaderAsync();
        var records = new List<AuditRecord>();
        while (await reader.ReadAsync())
        {
            records.Add(new AuditRecord(reader.GetInt64(0), new AuditEntry(
                reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), NullableString(reader, 3), NullableString(reader, 4),
                reader.GetString(5), reader.GetString(6), reader.GetInt32(7), NullableString(reader, 8),
                reader.IsDBNull(9) ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(9)))));
        }
        return records;
    }

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
