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

/// <summary>What a message carries, for every type.</summary>
/// <param name="Type">text, image, video, audio, voice, document, sticker, location, contacts, reaction, buttons or list.</param>
/// <param name="Text">The body of a text message, or the caption of a media message.</param>
/// <param name="Details">The type's own object as JSON (media reference, location, contacts, reaction emoji, interactive parts); null for plain text.</param>
/// <param name="ReplyTo">The message this one quotes, or for a reaction the message it reacts to.</param>
[GenerateSerializer, Immutable, Alias("message-content")]
public sealed record MessageContent(
    [property: Id(0)] string Type,
    [property: Id(1)] string? Text,
    [property: Id(2)] string? Details = null,
    [property: Id(3)] string? ReplyTo = null)
{
    public static MessageContent PlainText(string text) => new("text", text);
}

/// <param name="IdempotencyKey">A retried command with the same key returns the first message instead of sending another.</param>
[GenerateSerializer, Immutable, Alias("send-message")]
public sealed record SendMessageCommand(
    [property: Id(0)] string To,
    [property: Id(1)] MessageContent Content,
    [property: Id(2)] string? IdempotencyKey = null);

[GenerateSerializer, Immutable, Alias("message-view")]
public sealed record MessageView(
    [property: Id(0)] string Id,
    [property: Id(1)] string SessionId,
    [property: Id(2)] MessageDirection Direction,
    [property: Id(3)] string Peer,
    [property: Id(4)] MessageContent Content,
    [property: Id(6)] MessageStatus Status,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] DateTimeOffset UpdatedAt,
    [property: Id(9)] string? Error);

/// <summary>An inbound message the session has marked as read, and whom to tell.</summary>
[GenerateSerializer, Immutable, Alias("read-marker")]
public sealed record ReadMarker([property: Id(0)] string NetworkMessageId, [property: Id(1)] string From);

/// <summary>A message an engine received for the session, identified by the network's own message id.</summary>
[GenerateSerializer, Immutable, Alias("inbound-message")]
/// <remarks><see cref="MessageContent.ReplyTo"/> here is a network message id; the session maps it to its own id.</remarks>
public sealed record InboundMessage(
    [property: Id(0)] string NetworkMessageId,
    [property: Id(1)] string From,
    [property: Id(2)] MessageContent Content,
    [property: Id(4)] DateTimeOffset Timestamp);
