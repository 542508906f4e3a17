using Npgsql;
using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Contracts.Simulation;

namespace OrleansSaas.Data.Simulation;

/// <summary>The simulated network's server-side message store (see sim_network_messages).</summary>
public sealed class SimulatedNetworkStore(NpgsqlDataSource db, GroupCommit commits)
{
    /// <summary>False when the network already has a message with this id: a resend is ignored.</summary>
    public async Task<bool> TryAcceptAsync(SimulatedEnvelope envelope)
    {
        var command = new NpgsqlBatchCommand("""
            INSERT INTO sim_network_messages (message_id, to_number, from_number, from_session_key, type, body, details, reply_to, sent_at, accepted_at)
            VALUES (@id, @to, @from, @from_session, @type, @body, @details::json, @reply_to, @sent, now())
            ON CONFLICT (message_id) DO NOTHING
            """);
        command.Parameters.AddWithValue("id", envelope.MessageId);
        command.Parameters.AddWithValue("to", envelope.ToNumber);
        command.Parameters.AddWithValue("from", envelope.FromNumber);
        command.Parameters.AddWithValue("from_session", envelope.FromSessionKey);
        command.Parameters.AddWithValue("type", envelope.Content.Type);
        command.Parameters.AddWithValue("body", (object?)envelope.Content.Text ?? DBNull.Value);
        command.Parameters.AddWithValue("details", (object?)envelope.Content.Details ?? DBNull.Value);
        command.Parameters.AddWithValue("reply_to", (object?)envelope.Content.ReplyTo ?? DBNull.Value);
        command.Parameters.AddWithValue("sent", envelope.SentAt);
        return await commits.ExecuteAsync(envelope.MessageId, command) == 1;
    }

    /// <summary>Messages for a number that its linked device has not stored yet, oldest first.</summary>
    public async Task<IReadOnlyList<SimulatedEnvelope>> ListPendingAsync(string toNumber, int limit)
    {
        await using var command = db.CreateCommand("""
            SELECT message_id, from_number, from_session_key, to_number, type, body, details, reply_to, sent_at FROM sim_network_messages
            WHERE to_number = @to AND delivered_at IS NULL ORDER BY accepted_at, message_id LIMIT @limit
            """);
        command.Parameters.AddWithValue("to", toNumber);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync();
        var pending = new List<SimulatedEnvelope>();
        while (await reader.ReadAsync())
        {
            var content = new MessageContent(reader.GetString(4), NullableString(reader, 5), NullableString(reader, 6), NullableString(reader, 7));
            pending.Add(new SimulatedEnvelope(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                content, reader.GetFieldValue<DateTimeOffset>(8)));
        }
        return pending;
    }

    /// <summary>The session that sent a message, if the network accepted it addressed to <paramref name="toNumber"/>.</summary>
    public async Task<string?> FindSenderSessionAsync(string messageId, string toNumber)
    {
        await using var command = db.CreateCommand("SELECT from_session_key FROM sim_network_messages WHERE message_id = @id AND to_number = @to");
        command.Parameters.AddWithValue("id", messageId);
        command.Parameters.AddWithValue("to", toNumber);
        return await command.ExecuteScalarAsync() as string;
    }

    private static string? NullableString(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    public async Task MarkDeliveredAsync(string messageId)
    {
        var command = new NpgsqlBatchCommand("UPDATE sim_network_messages SET delivered_at = now() WHERE message_id = @id AND delivered_at IS NULL");
        command.Parameters.AddWithValue("id", messageId);
        await commits.ExecuteAsync(messageId, command);
    }
}
