using System.Text.Json.Nodes;
using OrleansSaas.Contracts.Messaging;

namespace OrleansSaas.Gateway.Messaging;

/// <summary>A message as clients see it: the type's own object under <c>details</c>, as JSON rather than a string.</summary>
public sealed record MessageResponse(
    string Id, string SessionId, MessageDirection Direction, string Peer, string Type, string? Text, string? ReplyTo,
    JsonNode? Details, MessageStatus Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? Error)
{
    public static MessageResponse From(MessageView message) => new(
        message.Id, message.SessionId, message.Direction, message.Peer, message.Content.Type, message.Content.Text, message.Content.ReplyTo,
        message.Content.Details is { } details ? JsonNode.Parse(details) : null,
        message.Status, message.CreatedAt, message.UpdatedAt, message.Error);
}
