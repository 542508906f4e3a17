using System.Security.Cryptography;
using System.Text;
using OrleansSaas.Contracts.Engines;
using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Data;
using OrleansSaas.Data.Events;
using OrleansSaas.Data.Messaging;
using OrleansSaas.Engines;
using OrleansSaas.Grains.Messaging;
using OrleansSaas.Observability;

namespace OrleansSaas.Grains.Sessions;

/// <summary>Accepting messages into the send queue, sending them through the engine, typing and read markers.</summary>
public sealed partial class SessionGrain
{
    public async Task<SendReply> Send(SendMessageCommand command)
    {
        if (!State.Exists) return new SendReply(SessionError.NotFound, null);
        if (State.Status == SessionStatus.LoggedOut) return new SendReply(SessionError.LoggedOut, null);
        if (!Paired) return new SendReply(SessionError.NotPaired, null);
        if (!Descriptor.MessageTypes.Contains(command.Content.Type)) return new SendReply(SessionError.UnsupportedMessageType, null);

        // Sends of one session run one at a time here, so looking up the key and inserting cannot race.
        var requestHash = command.IdempotencyKey is null ? null : RequestHash(command);
        if (command.IdempotencyKey is not null
            && await messages.FindByIdempotencyKeyAsync(TenantId, SessionId, command.IdempotencyKey) is var (earlier, earlierHash))
        {
            // The first request may have committed with its answer lost (so nothing told the queue): a replay of a
            // message still queued has the queue read back from the database.
            if (earlier.Status == MessageStatus.Queued) _pump?.Poke();
            return earlierHash == requestHash
                ? new SendReply(SessionError.None, AsAccepted(earlier))
                : new SendReply(SessionError.IdempotencyConflict, null);
        }

        if (Descriptor.CustomerServiceWindow is { } window && Descriptor.WindowFreeTypes?.Contains(command.Content.Type) != true)
        {
            var last = await messages.LastInboundAsync(TenantId, SessionId, command.To);
            if (last is null || last.Value.At < DateTimeOffset.UtcNow - window) return new SendReply(SessionError.OutsideWindow, null);
        }

        if (await quotaLeases.TryTakeAsync(TenantId, (wanted, returned) => Quota.LeaseMessages(wanted, returned)) is { } retryAfter)
            return new SendReply(SessionError.RateLimited, null, retryAfter);

        var content = command.Content;
        if (content.ReplyTo is { } replyTo && await messages.FindNetworkIdAsync(TenantId, SessionId, replyTo) is null)
            return new SendReply(SessionError.UnknownMessage, null);

        // Microsecond precision makes the first reply equal to every replay of it.
        var now = DbTime.Now();
        var message = new MessageView($"msg_{Guid.CreateVersion7():N}", SessionId, MessageDirection.Outbound,
            command.To, content, MessageStatus.Queued, now, now, null);
        AppendedEvents appended;
        try
        {
            appended = await messages.InsertOutboundAsync(TenantId, SessionId, message, command.IdempotencyKey, requestHash);
        }
        catch
        {
            // The insert may have committed before its answer was lost with the connection: the queue is read back.
            _pump?.Poke();
            throw;
        }
        events.Appended(TenantId, appended);
        Telemetry.MessageAccepted(MessageDirection.Outbound);
        _pump?.Enqueued(new QueuedMessage(0, message.Id, message.Peer, message.Content, message.CreatedAt));
        return new SendReply(SessionError.None, message);
    }

    public async Task<SessionError> SendTyping(string to, TimeSpan duration)
    {
        if (!State.Exists) return SessionError.NotFound;
        if (State.Status != SessionStatus.Connected) return SessionError.NotPaired;
        await Engine.SendTypingAsync(EngineSession, to, DateTimeOffset.UtcNow + duration);
        return SessionError.None;
    }

    public Task<IReadOnlyList<PeerTyping>?> GetPresence()
    {
        if (!State.Exists) return Task.FromResult<IReadOnlyList<PeerTyping>?>(null);
        var now = DateTimeOffset.UtcNow;
        foreach (var stale in _typing.Where(t => t.Value <= now).Select(t => t.Key).ToList()) _typing.Remove(stale);
        return Task.FromResult<IReadOnlyList<PeerTyping>?>(_typing.Select(t => new PeerTyping(t.Key, t.Value)).ToList());
    }

    public Task OnTyping(string from, DateTimeOffset until)
    {
        if (State.Status == SessionStatus.Connected) _typing[from] = until;
        return Task.CompletedTask;
    }

    public async Task<SessionError> MarkRead(string messageId)
    {
        if (!State.Exists) return SessionError.NotFound;
        if (State.Status != SessionStatus.Connected) return SessionError.NotPaired;
        var message = await messages.GetAsync(TenantId, SessionId, messageId);
        if (message is not { Direction: MessageDirection.Inbound }) return SessionError.UnknownMessage;
        if (message.Status == MessageStatus.Read) return SessionError.None;
        var networkId = await messages.FindNetworkIdAsync(TenantId, SessionId, messageId);
        await Engine.MarkReadAsync(EngineSession, new ReadMarker(networkId!, message.Peer));
        await AdvanceAsync(messageId, MessageStatus.Read, null);
        return SessionError.None;
    }

    // A replayed send answers exactly what the first one did: the message as it was accepted.
    private static MessageView AsAccepted(MessageView message) =>
        message with { Status = MessageStatus.Queued, UpdatedAt = message.CreatedAt, Error = null };

    private static string RequestHash(SendMessageCommand command) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{command.To}\n{command.Content.Type}\n{command.Content.Text}\n{command.Content.Details}\n{command.Content.ReplyTo}")));


    private async Task<SendOutcome> SendQueuedAsync(QueuedMessage message)
    {
        var replyTo = message.Content.ReplyTo is { } quoted ? await messages.FindNetworkIdAsync(TenantId, SessionId, quoted) : null;
        var outcome = await Engine.SendAsync(EngineSession, new OutboundMessage(message.Id, message.To, message.Content, replyTo));
        if (outcome.NetworkId is { } networkId && networkId != message.Id)
            await messages.SetNetworkIdAsync(TenantId, SessionId, message.Id, networkId);
        if (outcome is { Result: SendResult.Disconnected, Connection: { } change }) await ApplyConnectionAsync(change);
        return outcome;
    }

    private double MessagesPerSecond => State.Settings.MessagesPerSecond ?? Descriptor.DefaultPacing?.MessagesPerSecond ?? Options.MessagesPerSecond;
    private int RecipientGapMilliseconds => State.Settings.RecipientGapMilliseconds ?? Descriptor.DefaultPacing?.RecipientGapMilliseconds ?? Options.RecipientGapMilliseconds;

    /// <summary>Read at every send, so a settings change applies to the next message.</summary>
    private SendPacing Pacing() => new(TimeSpan.FromSeconds(1 / MessagesPerSecond), TimeSpan.FromMilliseconds(RecipientGapMilliseconds),
        Descriptor.DefaultPacing?.RecipientBurst ?? 1);
}
