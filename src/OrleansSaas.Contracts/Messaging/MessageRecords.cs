namespace OrleansSaas.Contracts.Messaging;

[GenerateSerializer, Alias("message-status")]
public enum MessageStatus
{
    Queued = 0,
    Sent = 1,
    Delivered = 2,
    Read = 3,
    Failed = 4,
}

[GenerateSerializer, Alias("message-direction")]
public enum MessageDirection
{
    Outbound = 0,
    Inbound = 1,
}

/// <param name="IdempotencyKey">A retried command with the same key returns the first message instead of sending another.</param>
[GenerateSerializer, Immutable, Alias("send-message")]
public sealed record SendMessageCommand(
    [property: Id(0)] string To,
    [property: Id(1)] string Text,
    [property: Id(2)] string? IdempotencyKey = null);

[GenerateSerializer, Immutable, Alias("message-view")]
public sealed record MessageView(
    [property: Id(0)] string Id,
    [property: Id(1)] string SessionId,
    [property: Id(2)] MessageDirection Direction,
    [property: Id(3)] string Peer,
    [property: Id(4)] string Type,
    [property: Id(5)] string? Text,
    [property: Id(6)] MessageStatus Status,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] DateTimeOffset UpdatedAt,
    [property: Id(9)] string? Error);

/// <summary>A message an engine received for the session, identified by the network's own message id.</summary>
[GenerateSerializer, Immutable, Alias("inbound-message")]
public sealed record InboundMessage(
    [property: Id(0)] string NetworkMessageId,
    [property: Id(1)] string From,
    [property: Id(2)] string Type,
    [property: Id(3)] string? Text,
    [property: Id(4)] DateTimeOffset Timestamp);
