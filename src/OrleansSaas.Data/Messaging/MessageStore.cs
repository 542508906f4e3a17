using Npgsql;
using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Data.Events;

namespace OrleansSaas.Data.Messaging;

/// <summary>A message waiting in a session's send queue, in the order it was accepted.</summary>
public sealed record QueuedMessage(long Seq, string Id, string To, MessageContent Content, DateTimeOffset QueuedAt);

/// <summary>Filters for a session's message history; null means "any". <paramref name="From"/> is inclusive, <paramref name="To"/> exclusive.</summary>
public sealed record MessageQuery(MessageDirection? Direction, long? Before, int Limit,
    MessageStatus? Status = null, string? Peer = null, DateTimeOffset? From = null, DateTimeOffset? To = null);

public sealed record MessagePage(IReadOnlyList<MessageView> Items, long? NextBefore);

/// <summary>
/// The messages table. Every query is scoped by tenant and session, so no caller can reach another tenant's rows.
/// Every change a client can observe appends its event in the same statement.
/// </summary>
public sealed class MessageStore(NpgsqlDataSource db, GroupCommit commits)
{
    private const string Columns = "seq, id, session_id, direction, peer, type, body, status, created_at, updated_at, error, details, reply_to";

    // One message by its primary key, within the tenant's session. The pair is compared with IS NOT DISTINCT FROM,
    // which no index serves, so the planner finds the row by its key alone: a statement prepared while the table had
    // no statistics otherwise chose an index on the tenant's columns and scanned every message of the tenant.
    private const string ById = "id = @id AND (tenant_id, session_id) IS NOT DISTINCT FROM (@tenant, @session)";

    // The message as the API shows it (the fields and names of GET .../messages/{id}), for its events, from the row a
    // statement inserts or updates. Written out rather than called as a function, which PostgreSQL would plan on every call.
    private const string AsJson = """
        json_build_object('id', id, 'sessionId', session_id, 'direction', direction, 'peer', peer, 'type', type,
            'text', body, 'replyTo', reply_to, 'details', details, 'status', status,
            'createdAt', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            'updatedAt', to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'error', error)
        """;

    public async Task<AppendedEvents> InsertOutboundAsync(string tenantId, string sessionId, MessageView message, string? idempotencyKey = null, string? requestHash = null)
    {
        var command = new NpgsqlBatchCommand($"""
            WITH inserted AS (
                INSERT INTO messages (id, tenant_id, session_id, direction, peer, type, body, details, reply_to, status, network_id, created_at, updated_at, idempotency_key, request_hash)
                VALUES (@id, @tenant, @session, 'outbound', @peer, @type, @body, @details::json, @reply_to, 'queued', @id, @at, @at, @idempotency_key, @request_hash)
                RETURNING seq, {AsJson} AS data),
            queued AS (INSERT INTO send_queue (message_id, tenant_id, session_id, seq) SELECT @id, @tenant, @session, seq FROM inserted),
            {EventAppend.AppendEvents("inserted", "'message.queued'", "@session", "@at", "inserted.data")}
            """);
        AddMessage(command, tenantId, sessionId, message);
        command.Parameters.AddWithValue("idempotency_key", (object?)idempotencyKey ?? DBNull.Value);
        command.Parameters.AddWithValue("request_hash", (object?)requestHash ?? DBNull.Value);
        return await EventAppend.ExecuteAsync(commits, GroupCommit.KeyOf(tenantId, sessionId), command);
    }

    /// <summary>The message an earlier request with this Idempotency-Key created, with that request's hash.</summary>
    public async Task<(MessageView Message, string RequestHash)?> FindByIdempotencyKeyAsync(string tenantId, string sessionId, string idempotencyKey)
    {
        await using var command = db.CreateCommand($"""
            SELECT {Columns}, request_hash FROM messages
            WHERE tenant_id = @tenant AND session_id = @session AND idempotency_key = @key
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("session", sessionId);
        command.Parameters.AddWithValue("key", idempotencyKey);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return null;
        return (ReadMessage(reader), reader.GetString(13));
    }

    /// <summary>The network id of one of the session's messages (ours for outbound, the sender's for inbound).</summary>
    public async Task<string?> FindNetworkIdAsync(string tenantId, string sessionId, string messageId)
    {
        await using var command = db.CreateCommand($"SELECT network_id FROM messages WHERE {ById}");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("session", sessionId);
        command.Parameters.AddWithValue("id", messageId);
        return await command.ExecuteScalarAsync() as string;
    }

    /// <summary>The session's own id for a message the network knows by <paramref name="networkId"/>.</summary>
    public async Task<string?> FindByNetworkIdAsync(string tenantId, string sessionId, string networkId)
    {
        await using var command = db.CreateCommand("SELECT id FROM messages WHERE tenant_id = @tenant AND session_id = @session AND network_id = @network_id LIMIT 1");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("session", sessionId);
        command.Parameters.AddWithValue("network_id", networkId);
        return await command.ExecuteScalarAsync() as string;
    }

    public async Task DeleteSessionMessagesAsync(string tenantId, string sessionId)
    {
        await using var command = db.CreateCommand("DELETE FROM messages WHERE tenant_id = @tenant AND session_id = @session");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("session", sessionId);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Stores an inbound message and its event once; a redelivery of the same network id appends nothing (Count is 0).</summary>
    public async Task<AppendedEvents> InsertInboundAsync(string tenantId, string sessionId, MessageView message, string networkId)
    {
        var command = new NpgsqlBatchCommand($"""
            WITH inserted AS (
                INSERT INTO messages (id, tenant_id, session_id, direction, peer, type, body, details, reply_to, status, network_id, created_at, updated_at)
                VALUES (@id, @tenant, @session, 'inbound', @peer, @type, @body, @details::json, @reply_to, @status, @network_id, @at, @at)
                ON CONFLICT (tenant_id, session_id, direction, network_id) DO NOTHING
                RETURNING {AsJson} AS data),
            {EventAppend.AppendEvents("inserted", "@event_type", "@session", "now()", "inserted.data")}
            """);
        AddMessage(command, tenantId, sessionId, message);
        command.Parameters.AddWithValue("status", message.Status.ToDb());
        command.Parameters.AddWithValue("network_id", networkId);
        command.Parameters.AddWithValue("event_type", message.Content.Type == "reaction" ? EventTypes.MessageReaction : EventTypes.MessageReceived);
        return await EventAppend.ExecuteAsync(commits, GroupCommit.KeyOf(tenantId, sessionId), command);
    }

    /// <summary>
    /// Moves a status forward only (queued → sent → delivered → read), so late or reordered receipts never move it back.
    /// Its event is appended only when it moved (Count 0 for a repeated or stale update). Any move ends the message's
    /// wait in the send queue.
    /// </summary>
    public async Task<AppendedEvents> AdvanceStatusAsync(string tenantId, string sessionId, string messageId, MessageStatus status, string? error = null)
    {
        var command = new NpgsqlBatchCommand($"""
            WITH changed AS (
                UPDATE messages SET status = @status, error = @error, updated_at = now()
                WHERE {ById}
                  AND (array_position(ARRAY['queued','sent','delivered','read'], status)
                         < array_position(ARRAY['queued','sent','delivered','read'], @status::text)
                       OR (@status = 'failed' AND status IN ('queued', 'sent')))
                RETURNING {AsJson} AS data),
            dequeued AS (DELETE FROM send_queue WHERE message_id = @id AND EXISTS (SELECT FROM changed)),
            {EventAppend.AppendEvents("changed", "'message.' || @status", "@session", "now()", "changed.data")}
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("session", sessionId);
        command.Parameters.AddWithValue("id", messageId);
        command.Parameters.AddWithValue("status", status.ToDb());
        command.Parameters.AddWithValue("error", (object?)error ?? DBNull.Value);
        return await EventAppend.ExecuteAsync(commits, GroupCommit.KeyOf(tenantId, sessionId), command);
    }

    /// <summary>The session's own id of an outbound message the network knows by <paramref name="networkId"/>.</summary>
    public async Task<string?> FindOutboundByNetworkIdAsync(string tenantId, string sessionId, string networkId)
    {
        await using var command = db.CreateCommand("""
            SELECT id FROM messages WHERE tenant_id = @tenant AND session_id = @session AND direction = 'outbound' AND network_id = @network_id
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("session", sessionId);
        command.Parameters.AddWithValue("network_id", networkId);
        return await command.ExecuteScalarAsync() as string;
    }

    /// <summary>Records the id the network gave an outbound message, so its receipts find it.</summary>
    public async Task SetNetworkIdAsync(string tenantId, string sessionId, string messageId, string networkId)
    {
        var command = new NpgsqlBatchCommand($"UPDATE messages SET network_id = @network_id WHERE {ById} AND direction = 'outbound'");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("session", sessionId);
        command.Parameters.AddWithValue("id", messageId);
        command.Parameters.AddWithValue("network_id", networkId);
        await commits.ExecuteAsync(GroupCommit.KeyOf(tenantId, sessionId), command);
    }

    /// <summary>When the peer last wrote to the session, and the network id of that message; null if never.</summary>
    public async Task<(DateTimeOffset At, string NetworkId)?> LastInboundAsync(string tenantId, string sessionId, string peer)
    {
        await using var command = db.CreateCommand("""
            SELECT created_at, network_id FROM messages
            WHERE tenant_id = @tenant AND session_id = @session AND peer = @peer AND direction = 'inbound'
            ORDER BY created_at DESC LIMIT 1
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("session", sessionId);
        command.Parameters.AddWithValue("peer", peer);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return null;
        return (reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1));
    }

    public async Task<IReadOnlyList<QueuedMessage>> ListQueuedAsync(string tenantId, string sessionId, long afterSeq, int limit)
    {
        await using var command = db.CreateCommand("""
            SELECT m.seq, m.id, m.peer, m.type, m.body, m.details, m.reply_to, m.created_at
            FROM send_queue q JOIN messages m ON m.id = q.message_id
            WHERE q.tenant_id = @tenant AND q.session_id = @session AND q.seq > @after
            ORDER BY q.seq LIMIT @limit
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("session", sessionId);
        command.Parameters.AddWithValue("after", afterSeq);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync();
        var queued = new List<QueuedMessage>();
        while (await reader.ReadAsync())
            queued.Add(new QueuedMessage(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), ReadContent(reader, 3), reader.GetFieldValue<DateTimeOffset>(7)));
        return queued;
    }

    /// <summary>How many messages wait in the session's send queue.</summary>
    public async Task<long> CountQueuedAsync(string tenantId, string sessionId)
    {
        await using var command = db.CreateCommand("SELECT count(*) FROM send_queue WHERE tenant_id = @tenant AND session_id = @session");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("session", sessionId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Outbound messages of the whole tenant accepted at or after <paramref name="since"/> (usage against the plan's messages per minute).</summary>
    public async Task<long> CountOutboundSinceAsync(string tenantId, DateTimeOffset since)
    {
        await using var command = db.CreateCommand("""
            SELECT count(*) FROM messages
            WHERE tenant_id = @tenant AND direction = 'outbound' AND created_at >= @since
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("since", since);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Newest first; <see cref="MessagePage.NextBefore"/> continues after the last item and stays stable while rows are added.</summary>
    public async Task<MessagePage> ListAsync(string tenantId, string sessionId, MessageQuery query)
    {
        await using var command = db.CreateCommand($"""
            SELECT {Columns} FROM messages
            WHERE tenant_id = @tenant AND session_id = @session
              AND (@before::bigint IS NULL OR seq < @before::bigint)
              AND (@direction::text IS NULL OR direction = @direction::text)
              AND (@status::text IS NULL OR status = @status::text)
              AND (@peer::text IS NULL OR peer = @peer::text)
              AND (@from::timestamptz IS NULL OR created_at >= @from::timestamptz)
              AND (@to::timestamptz IS NULL OR created_at < @to::timestamptz)
            ORDER BY seq DESC LIMIT @limit
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("session", sessionId);
        command.Parameters.AddWithValue("before", (object?)query.Before ?? DBNull.Value);
        command.Parameters.AddWithValue("direction", (object?)query.Direction?.ToDb() ?? DBNull.Value);
        command.Parameters.AddWithValue("status", (object?)query.Status?.ToDb() ?? DBNull.Value);
        command.Parameters.AddWithValue("peer", (object?)query.Peer ?? DBNull.Value);
        command.Parameters.AddWithValue("from", (object?)query.From ?? DBNull.Value);
        command.Parameters.AddWithValue("to", (object?)query.To ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", query.Limit + 1);
        var rows = await ReadAsync(command);
        var hasMore = rows.Count > query.Limit;
        var items = rows.Take(query.Limit).ToList();
        return new MessagePage(items.Select(r => r.View).ToList(), hasMore ? items[^1].Seq : null);
    }

    public async Task<MessageView?> GetAsync(string tenantId, string sessionId, string messageId)
    {
        await using var command = db.CreateCommand($"SELECT {Columns} FROM messages WHERE {ById}");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("session", sessionId);
        command.Parameters.AddWithValue("id", messageId);
        var rows = await ReadAsync(command);
        return rows.Count == 0 ? null : rows[0].View;
    }

    private static void AddMessage(NpgsqlBatchCommand command, string tenantId, string sessionId, MessageView message)
    {
        command.Parameters.AddWithValue("id", message.Id);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("session", sessionId);
        command.Parameters.AddWithValue("peer", message.Peer);
        command.Parameters.AddWithValue("type", message.Content.Type);
        command.Parameters.AddWithValue("body", (object?)message.Content.Text ?? DBNull.Value);
        command.Parameters.AddWithValue("details", (object?)message.Content.Details ?? DBNull.Value);
        command.Parameters.AddWithValue("reply_to", (object?)message.Content.ReplyTo ?? DBNull.Value);
        command.Parameters.AddWithValue("at", message.CreatedAt);
    }

    private static async Task<List<(long Seq, MessageView View)>> ReadAsync(NpgsqlCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(long, MessageView)>();
        while (await reader.ReadAsync())
            rows.Add((reader.GetInt64(0), ReadMessage(reader)));
        return rows;
    }

    // type, body, details, reply_to in that order from the given column.
    private static MessageContent ReadContent(NpgsqlDataReader reader, int first) =>
        new(reader.GetString(first), NullableString(reader, first + 1), NullableString(reader, first + 2), NullableString(reader, first + 3));

    private static string? NullableString(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    private static MessageView ReadMessage(NpgsqlDataReader reader) => new(
        Id: reader.GetString(1),
        SessionId: reader.GetString(2),
        Direction: DbEnum.ToMessageDirection(reader.GetString(3)),
        Peer: reader.GetString(4),
        Content: new MessageContent(reader.GetString(5), NullableString(reader, 6), NullableString(reader, 11), NullableString(reader, 12)),
        Status: DbEnum.ToMessageStatus(reader.GetString(7)),
        CreatedAt: reader.GetFieldValue<DateTimeOffset>(8),
        UpdatedAt: reader.GetFieldValue<DateTimeOffset>(9),
        Error: NullableString(reader, 10));
}
