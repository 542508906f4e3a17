using Npgsql;
using OrleansSaas.Contracts.Webhooks;
using OrleansSaas.Data.Events;

namespace OrleansSaas.Data.Webhooks;

/// <summary>A subscription as stored; the secrets are sealed by the caller.</summary>
public sealed record WebhookRow(
    string TenantId, string Id, string Url, string? Description, IReadOnlyList<string>? SessionIds, IReadOnlyList<string>? EventTypes,
    byte[] Secret, byte[]? PreviousSecret, DateTimeOffset? PreviousExpiresAt, bool Active, string? DisabledReason,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>What clients see: no secrets, and the previous secret's expiry only while a rotation's overlap lasts.</summary>
    public WebhookView ToView(DateTimeOffset now) => new(Id, Url, Description, SessionIds, EventTypes, Active, DisabledReason,
        PreviousSecret is not null && PreviousExpiresAt > now ? PreviousExpiresAt : null, CreatedAt, UpdatedAt);
}

/// <summary>A delivery waiting to go out, with the event it carries.</summary>
public sealed record PendingDelivery(StoredEvent Event, int Attempts, DateTimeOffset RetryFrom, DateTimeOffset NextAttemptAt);

public enum DeliveryState { Pending, Delivered, Dead }

/// <summary>What one attempt did to its delivery.</summary>
public sealed record AttemptOutcome(DeliveryState State, DateTimeOffset AttemptedAt, DateTimeOffset NextAttemptAt, int? StatusCode, int LatencyMilliseconds, string? Error);

public sealed record DeliveryRecord(
    long Seq, string EventId, string EventType, string SessionId, DeliveryState State, int Attempts,
    DateTimeOffset NextAttemptAt, DateTimeOffset? DeliveredAt, int? LastStatusCode, string? LastError);

public sealed record AttemptRecord(int Attempt, DateTimeOffset AttemptedAt, int? StatusCode, int LatencyMilliseconds, string? Error);

/// <summary>Webhook subscriptions, their deliveries (the outbox number_events fills) and the log of every attempt.</summary>
public sealed class WebhookStore(NpgsqlDataSource db)
{
    private const string SubscriptionColumns =
        "tenant_id, id, url, description, session_ids, event_types, secret, previous_secret, previous_expires_at, status, disabled_reason, created_at, updated_at";

    public async Task InsertAsync(WebhookRow row)
    {
        await using var command = db.CreateCommand($"""
            INSERT INTO webhook_subscriptions ({SubscriptionColumns})
            VALUES (@tenant, @id, @url, @description, @sessions, @types, @secret, @previous, @previous_expires, @status, @reason, @created, @updated)
            """);
        AddRow(command, row);
        await command.ExecuteNonQueryAsync();
    }

    public async Task UpdateAsync(WebhookRow row)
    {
        await using var command = db.CreateCommand("""
            UPDATE webhook_subscriptions SET url = @url, description = @description, session_ids = @sessions, event_types = @types,
                secret = @secret, previous_secret = @previous, previous_expires_at = @previous_expires, status = @status,
                disabled_reason = @reason, updated_at = @updated
            WHERE tenant_id = @tenant AND id = @id
            """);
        AddRow(command, row);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<WebhookRow?> GetAsync(string tenantId, string id)
    {
        await using var command = db.CreateCommand($"SELECT {SubscriptionColumns} FROM webhook_subscriptions WHERE tenant_id = @tenant AND id = @id");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("id", id);
        var rows = await ReadRowsAsync(command);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <summary>A tenant's subscriptions, newest first; <paramref name="before"/> is the last id of the previous page.</summary>
    public async Task<IReadOnlyList<WebhookRow>> ListAsync(string tenantId, string? before, int limit)
    {
        await using var command = db.CreateCommand($"""
            SELECT {SubscriptionColumns} FROM webhook_subscriptions
            WHERE tenant_id = @tenant AND (@before::text IS NULL OR id < @before::text)
            ORDER BY id DESC LIMIT @limit
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("before", (object?)before ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", limit);
        return await ReadRowsAsync(command);
    }

    /// <summary>Deletes the subscription; its deliveries and attempts go with it.</summary>
    public async Task DeleteAsync(string tenantId, string id)
    {
        await using var command = db.CreateCommand("DELETE FROM webhook_subscriptions WHERE tenant_id = @tenant AND id = @id");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("id", id);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The pending deliveries of up to <paramref name="sessions"/> sessions, each session's in order (at most
    /// <paramref name="perSession"/>), sessions with the soonest-due oldest delivery first. Only a session's oldest
    /// may go out, which keeps each session's events in order while sessions proceed independently.
    /// </summary>
    public async Task<IReadOnlyList<IReadOnlyList<PendingDelivery>>> ListPendingAsync(string tenantId, string subscriptionId, int sessions, int perSession)
    {
        await using var command = db.CreateCommand("""
            WITH pending AS (
                SELECT seq, session_id, attempts, retry_from, next_attempt_at, event_position,
                       row_number() OVER (PARTITION BY session_id ORDER BY seq) AS position
                FROM webhook_deliveries
                WHERE tenant_id = @tenant AND subscription_id = @subscription AND state = 'pending'),
            heads AS (SELECT session_id, next_attempt_at, seq FROM pending WHERE position = 1 ORDER BY next_attempt_at, seq LIMIT @sessions)
            SELECT p.seq, e.id, e.type, e.session_id, e.occurred_at, e.data, p.attempts, p.retry_from, p.next_attempt_at
            FROM pending p
            JOIN heads h ON h.session_id = p.session_id
            JOIN events e ON e.position = p.event_position
            WHERE p.position <= @per_session
            ORDER BY h.next_attempt_at, h.seq, p.seq
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("subscription", subscriptionId);
        command.Parameters.AddWithValue("sessions", sessions);
        command.Parameters.AddWithValue("per_session", perSession);
        await using var reader = await command.ExecuteReaderAsync();
        var bySession = new List<List<PendingDelivery>>();
        while (await reader.ReadAsync())
        {
            var delivery = new PendingDelivery(
                new StoredEvent(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4), reader.GetString(5)),
                reader.GetInt32(6), reader.GetFieldValue<DateTimeOffset>(7), reader.GetFieldValue<DateTimeOffset>(8));
            if (bySession.Count == 0 || bySession[^1][0].Event.SessionId != delivery.Event.SessionId) bySession.Add([]);
            bySession[^1].Add(delivery);
        }
        return bySession;
    }

    /// <summary>Logs an attempt and moves its delivery on, in one statement; a delivery no longer pending is left alone.</summary>
    public async Task RecordAttemptAsync(string tenantId, string subscriptionId, long seq, AttemptOutcome outcome)
    {
        await using var command = db.CreateCommand("""
            WITH moved AS (
                UPDATE webhook_deliveries SET attempts = attempts + 1, state = @state, next_attempt_at = @next,
                    delivered_at = CASE WHEN @state = 'delivered' THEN @at END, last_status_code = @code, last_error = @error
                WHERE tenant_id = @tenant AND subscription_id = @subscription AND seq = @seq AND state = 'pending'
                RETURNING attempts)
            INSERT INTO webhook_attempts (tenant_id, subscription_id, seq, attempt, attempted_at, status_code, latency_ms, error)
            SELECT @tenant, @subscription, @seq, moved.attempts, @at, @code, @latency, @error FROM moved
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("subscription", subscriptionId);
        command.Parameters.AddWithValue("seq", seq);
        command.Parameters.AddWithValue("state", ToDb(outcome.State));
        command.Parameters.AddWithValue("next", outcome.NextAttemptAt);
        command.Parameters.AddWithValue("at", outcome.AttemptedAt);
        command.Parameters.AddWithValue("code", (object?)outcome.StatusCode ?? DBNull.Value);
        command.Parameters.AddWithValue("latency", outcome.LatencyMilliseconds);
        command.Parameters.AddWithValue("error", (object?)outcome.Error ?? DBNull.Value);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Logs a run of successful first-time-or-retried deliveries and marks them delivered, in one statement (one
    /// commit for a whole run of a session's events instead of one each). Deliveries no longer pending are left alone.
    /// </summary>
    public async Task RecordDeliveredAsync(string tenantId, string subscriptionId, IReadOnlyList<(long Seq, AttemptOutcome Outcome)> delivered)
    {
        if (delivered.Count == 0) return;
        await using var command = db.CreateCommand("""
            WITH done AS (
                SELECT * FROM unnest(@seqs, @ats, @codes, @latencies) AS d(seq, attempted_at, status_code, latency_ms)),
            moved AS (
                UPDATE webhook_deliveries w SET attempts = w.attempts + 1, state = 'delivered', next_attempt_at = done.attempted_at,
                    delivered_at = done.attempted_at, last_status_code = done.status_code, last_error = NULL
                FROM done
                WHERE w.tenant_id = @tenant AND w.subscription_id = @subscription AND w.seq = done.seq AND w.state = 'pending'
                RETURNING w.seq, w.attempts)
            INSERT INTO webhook_attempts (tenant_id, subscription_id, seq, attempt, attempted_at, status_code, latency_ms, error)
            SELECT @tenant, @subscription, moved.seq, moved.attempts, done.attempted_at, done.status_code, done.latency_ms, NULL
            FROM moved JOIN done ON done.seq = moved.seq
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("subscription", subscriptionId);
        command.Parameters.AddWithValue("seqs", delivered.Select(d => d.Seq).ToArray());
        command.Parameters.AddWithValue("ats", delivered.Select(d => d.Outcome.AttemptedAt).ToArray());
        command.Parameters.AddWithValue("codes", delivered.Select(d => d.Outcome.StatusCode ?? 0).ToArray());
        command.Parameters.AddWithValue("latencies", delivered.Select(d => d.Outcome.LatencyMilliseconds).ToArray());
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Queues the events in [<paramref name="fromSeq"/>, <paramref name="toSeq"/>] that match the subscription's filters
    /// (again, if they were delivered or dead), each with a fresh retry period. Returns how many were queued.
    /// </summary>
    public async Task<int> ReplayAsync(string tenantId, string subscriptionId, long fromSeq, long toSeq)
    {
        await using var command = db.CreateCommand("""
            INSERT INTO webhook_deliveries (tenant_id, subscription_id, seq, session_id, state, next_attempt_at, retry_from, event_position)
            SELECT e.tenant_id, w.id, n.seq, e.session_id, 'pending', now(), now(), e.position
            FROM event_numbers n
            JOIN events e ON e.position = n.position
            JOIN webhook_subscriptions w ON w.tenant_id = e.tenant_id AND w.id = @subscription
            WHERE n.tenant_id = @tenant AND n.seq BETWEEN @from AND @to
              AND (w.session_ids IS NULL OR e.session_id = ANY (w.session_ids))
              AND (w.event_types IS NULL OR e.type = ANY (w.event_types))
            ON CONFLICT (tenant_id, subscription_id, seq) DO UPDATE SET state = 'pending', next_attempt_at = now(), retry_from = now()
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("subscription", subscriptionId);
        command.Parameters.AddWithValue("from", fromSeq);
        command.Parameters.AddWithValue("to", toSeq);
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>A subscription's deliveries, newest first, optionally in one state.</summary>
    public async Task<IReadOnlyList<DeliveryRecord>> ListDeliveriesAsync(string tenantId, string subscriptionId, DeliveryState? state, long? beforeSeq, int limit)
    {
        await using var command = db.CreateCommand("""
            SELECT d.seq, e.id, e.type, d.session_id, d.state, d.attempts, d.next_attempt_at, d.delivered_at, d.last_status_code, d.last_error
            FROM webhook_deliveries d JOIN events e ON e.position = d.event_position
            WHERE d.tenant_id = @tenant AND d.subscription_id = @subscription
              AND (@state::text IS NULL OR d.state = @state::text)
              AND (@before::bigint IS NULL OR d.seq < @before::bigint)
            ORDER BY d.seq DESC LIMIT @limit
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("subscription", subscriptionId);
        command.Parameters.AddWithValue("state", state is { } s ? ToDb(s) : DBNull.Value);
        command.Parameters.AddWithValue("before", (object?)beforeSeq ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync();
        var deliveries = new List<DeliveryRecord>();
        while (await reader.ReadAsync())
            deliveries.Add(new DeliveryRecord(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                ToState(reader.GetString(4)), reader.GetInt32(5), reader.GetFieldValue<DateTimeOffset>(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7), reader.IsDBNull(8) ? null : reader.GetInt32(8),
                reader.IsDBNull(9) ? null : reader.GetString(9)));
        return deliveries;
    }

    public async Task<IReadOnlyList<AttemptRecord>> ListAttemptsAsync(string tenantId, string subscriptionId, long seq)
    {
        await using var command = db.CreateCommand("""
            SELECT attempt, attempted_at, status_code, latency_ms, error FROM webhook_attempts
            WHERE tenant_id = @tenant AND subscription_id = @subscription AND seq = @seq ORDER BY attempt
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("subscription", subscriptionId);
        command.Parameters.AddWithValue("seq", seq);
        await using var reader = await command.ExecuteReaderAsync();
        var attempts = new List<AttemptRecord>();
        while (await reader.ReadAsync())
            attempts.Add(new AttemptRecord(reader.GetInt32(0), reader.GetFieldValue<DateTimeOffset>(1),
                reader.IsDBNull(2) ? null : reader.GetInt32(2), reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        return attempts;
    }

    /// <summary>
    /// Active subscriptions with a delivery overdue by more than a grace period: their grain was lost with a silo
    /// or a cluster restart (a live grain keeps its own timer), so someone must wake them.
    /// </summary>
    public async Task<IReadOnlyList<(string TenantId, string SubscriptionId)>> ListOverdueAsync(DateTimeOffset dueBefore, int limit)
    {
        await using var command = db.CreateCommand("""
            SELECT DISTINCT d.tenant_id, d.subscription_id FROM webhook_deliveries d
            JOIN webhook_subscriptions w ON w.tenant_id = d.tenant_id AND w.id = d.subscription_id AND w.status = 'active'
            WHERE d.state = 'pending' AND d.next_attempt_at < @due
            LIMIT @limit
            """);
        command.Parameters.AddWithValue("due", dueBefore);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync();
        var overdue = new List<(string, string)>();
        while (await reader.ReadAsync()) overdue.Add((reader.GetString(0), reader.GetString(1)));
        return overdue;
    }

    private static void AddRow(NpgsqlCommand command, WebhookRow row)
    {
        command.Parameters.AddWithValue("tenant", row.TenantId);
        command.Parameters.AddWithValue("id", row.Id);
        command.Parameters.AddWithValue("url", row.Url);
        command.Parameters.AddWithValue("description", (object?)row.Description ?? DBNull.Value);
        command.Parameters.AddWithValue("sessions", (object?)row.SessionIds?.ToArray() ?? DBNull.Value).NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text;
        command.Parameters.AddWithValue("types", (object?)row.EventTypes?.ToArray() ?? DBNull.Value).NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text;
        command.Parameters.AddWithValue("secret", row.Secret);
        command.Parameters.AddWithValue("previous", (object?)row.PreviousSecret ?? DBNull.Value).NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea;
        command.Parameters.AddWithValue("previous_expires", (object?)row.PreviousExpiresAt ?? DBNull.Value).NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz;
        command.Parameters.AddWithValue("status", row.Active ? "active" : "disabled");
        command.Parameters.AddWithValue("reason", (object?)row.DisabledReason ?? DBNull.Value);
        command.Parameters.AddWithValue("created", row.CreatedAt);
        command.Parameters.AddWithValue("updated", row.UpdatedAt);
    }

    private static async Task<IReadOnlyList<WebhookRow>> ReadRowsAsync(NpgsqlCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<WebhookRow>();
        while (await reader.ReadAsync())
            rows.Add(new WebhookRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<string[]>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<string[]>(5),
                reader.GetFieldValue<byte[]>(6), reader.IsDBNull(7) ? null : reader.GetFieldValue<byte[]>(7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8), reader.GetString(9) == "active",
                reader.IsDBNull(10) ? null : reader.GetString(10), reader.GetFieldValue<DateTimeOffset>(11), reader.GetFieldValue<DateTimeOffset>(12)));
        return rows;
    }

    private static string ToDb(DeliveryState state) => state switch
    {
        DeliveryState.Pending => "pending",
        DeliveryState.Delivered => "delivered",
        _ => "dead",
    };

    private static DeliveryState ToState(string value) => value switch
    {
        "pending" => DeliveryState.Pending,
        "delivered" => DeliveryState.Delivered,
        _ => DeliveryState.Dead,
    };
}
