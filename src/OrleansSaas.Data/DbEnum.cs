using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Contracts.Sessions;

namespace OrleansSaas.Data;

/// <summary>The text each enum is stored as: stable snake_case names, never the numeric value.</summary>
public static class DbEnum
{
    public static string ToDb(this MessageStatus status) => status switch
    {
        MessageStatus.Queued => "queued",
        MessageStatus.Sent => "sent",
        MessageStatus.Delivered => "delivered",
        MessageStatus.Read => "read",
        MessageStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static MessageStatus ToMessageStatus(string value) => value switch
    {
        "queued" => MessageStatus.Queued,
        "sent" => MessageStatus.Sent,
        "delivered" => MessageStatus.Delivered,
        "read" => MessageStatus.Read,
        "failed" => MessageStatus.Failed,
        _ => throw new FormatException($"Unknown message status '{value}'."),
    };

    public static string ToDb(this MessageDirection direction) =>
        direction == MessageDirection.Outbound ? "outbound" : "inbound";

    public static MessageDirection ToMessageDirection(string value) =>
        value == "outbound" ? MessageDirection.Outbound : MessageDirection.Inbound;

    public static string ToDb(this SessionStatus status) => status switch
    {
        SessionStatus.Created => "created",
        SessionStatus.Pairing => "pairing",
        SessionStatus.Connected => "connected",
        SessionStatus.Disconnected => "disconnected",
        SessionStatus.LoggedOut => "logged_out",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static SessionStatus ToSessionStatus(string value) => value switch
    {
        "created" => SessionStatus.Created,
        "pairing" => SessionStatus.Pairing,
        "connected" => SessionStatus.Connected,
        "disconnected" => SessionStatus.Disconnected,
        "logged_out" => SessionStatus.LoggedOut,
        _ => throw new FormatException($"Unknown session status '{value}'."),
    };
}
