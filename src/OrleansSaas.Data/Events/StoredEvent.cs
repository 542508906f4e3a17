namespace OrleansSaas.Data.Events;

/// <summary>One event of a tenant's log. <paramref name="Data"/> is the event's JSON object as stored.</summary>
public sealed record StoredEvent(long Seq, string Id, string Type, string SessionId, DateTimeOffset OccurredAt, string Data);

/// <summary>How many events a write appended (0: the write changed nothing, so it has no event).</summary>
public sealed record AppendedEvents(int Count)
{
    public static readonly AppendedEvents None = new(0);
}

/// <summary>What one numbering batch did: how many events it numbered and which subscriptions got deliveries.</summary>
public sealed record NumberedEvents(int Count, IReadOnlyList<string> Subscriptions);

/// <summary>The event types a client can filter on, and the ones the platform writes.</summary>
public static class EventTypes
{
    public const string MessageReceived = "message.received";
    public const string MessageReaction = "message.reaction";
    public const string MessageQueued = "message.queued";
    public const string MessageSent = "message.sent";
    public const string MessageDelivered = "message.delivered";
    public const string MessageRead = "message.read";
    public const string MessageFailed = "message.failed";
    public const string SessionStatus = "session.status";
    public const string SessionQr = "session.qr";
    public const string SessionDeleted = "session.deleted";
    public const string SessionError = "session.error";

    public static readonly IReadOnlyList<string> All =
        [MessageReceived, MessageReaction, MessageQueued, MessageSent, MessageDelivered, MessageRead, MessageFailed, SessionStatus, SessionQr, SessionDeleted, SessionError];
}
