using Microsoft.Extensions.Logging;
using System.Text.Json.Nodes;
using OrleansSaas.Contracts.Messaging;

namespace OrleansSaas.Engines.Web;

public sealed partial class WebEngine
{
    public async Task<SendOutcome> SendAsync(EngineSession session, OutboundMessage message)
    {
        if (supervisor.Current is not { } sidecar || !_links.TryGetValue(session.SessionKey, out var link) || link.Sidecar != sidecar)
            return new SendOutcome(SendResult.Disconnected, Connection: Contracts.Sessions.ConnectionChange.Transient("engine_unavailable"));
        var to = WebContent.Digits(message.To);
        string? data = null, mimeType = null;
        var details = message.Content.Details is { } detailsJson ? JsonNode.Parse(detailsJson) as JsonObject : null;
        if ((string?)details?["link"] is { } mediaLink)
        {
            var linked = await links.FetchAsync(mediaLink);
            if (linked.Error is { } error) return new SendOutcome(SendResult.Rejected, Error: error);
            data = Convert.ToBase64String(linked.Data!);
            mimeType = linked.MimeType;
        }
        else if ((string?)details?["mediaId"] is { } mediaId)
        {
            if (await media.OpenAsync(session.TenantId, mediaId) is not var (view, stream))
                return new SendOutcome(SendResult.Rejected, Error: "media_unavailable: the media was deleted before it could be sent.");
            await using (stream)
            {
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer);
                data = Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length);
            }
            mimeType = view.MimeType;
        }
        var content = WebContent.ToSidecar(message.Content, data, mimeType);
        if (message.ReplyToNetworkId is { } quoted)
        {
            var stored = await auth.FindMessageAsync(session.SessionKey, quoted);
            if (message.Content.Type == "reaction")
                content["target"] = new JsonObject { ["networkMessageId"] = quoted, ["fromMe"] = stored?.FromMe ?? false };
            else
                content["replyTo"] = new JsonObject { ["networkMessageId"] = quoted, ["fromMe"] = stored?.FromMe ?? false, ["raw"] = stored?.Raw };
        }
        if ((await SettingsAsync(session.SessionKey)).TypingBeforeSend)
        {
            await TypingAsync(sidecar, session, to, "composing");
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(3000, 500 + 30 * (message.Content.Text?.Length ?? 0))));
            await TypingAsync(sidecar, session, to, "paused");
        }
        // Jitter on top of the session's pacing: sends at exact intervals look like a bot.
        await Task.Delay(Random.Shared.Next(0, 400));
        try
        {
            var reply = await sidecar.RequestAsync("message.send", new JsonObject
            {
                ["sessionKey"] = session.SessionKey,
                ["messageId"] = message.Id,
                ["to"] = to,
                ["content"] = content,
            });
            var networkId = (string)reply["networkMessageId"]!;
            if ((string?)reply["raw"] is { } raw) await auth.SaveMessageAsync(session.SessionKey, networkId, fromMe: true, raw);
            return new SendOutcome(SendResult.Sent, NetworkId: networkId);
        }
        catch (SidecarException error)
        {
            return error.Code switch
            {
                "not_connected" or "session_not_found" or "engine_unavailable" => new SendOutcome(SendResult.Disconnected,
                    Connection: Contracts.Sessions.ConnectionChange.Transient(error.Code == "engine_unavailable" ? "engine_unavailable" : "not_connected")),
                "busy" or "timeout" => new SendOutcome(SendResult.Retry, RetryAfter: TimeSpan.FromSeconds(2)),
                _ => new SendOutcome(SendResult.Rejected, Error: $"{error.Code}: {error.Message}"),
            };
        }
    }

    /// <summary>Inbound media are named by their message's network id; the sidecar downloads them from the stored raw message.</summary>
    public async Task<InboundMedia?> DownloadMediaAsync(EngineSession session, string networkMediaId)
    {
        if (supervisor.Current is not { } sidecar || await auth.FindMessageAsync(session.SessionKey, networkMediaId) is not { } stored) return null;
        try
        {
            var reply = await sidecar.RequestAsync("media.download", new JsonObject { ["sessionKey"] = session.SessionKey, ["raw"] = stored.Raw }, TimeSpan.FromSeconds(60));
            var bytes = Convert.FromBase64String((string)reply["data"]!);
            return new InboundMedia((string?)reply["mimetype"] ?? "application/octet-stream", null, new MemoryStream(bytes));
        }
        catch (SidecarException error)
        {
            logger.LogWarning("Session {SessionKey}: media of {NetworkId} could not be downloaded ({Code})", session.SessionKey, networkMediaId, error.Code);
            return null;
        }
    }

    public Task SendTypingAsync(EngineSession session, string to, DateTimeOffset until) =>
        supervisor.Current is { } sidecar ? TypingAsync(sidecar, session, WebContent.Digits(to), "composing") : Task.CompletedTask;

    private static Task TypingAsync(SidecarConnection sidecar, EngineSession session, string to, string state) =>
        sidecar.RequestAsync("presence.typing", new JsonObject { ["sessionKey"] = session.SessionKey, ["to"] = to, ["state"] = state });

    public async Task MarkReadAsync(EngineSession session, ReadMarker message)
    {
        var sidecar = supervisor.Current ?? throw new SidecarException("engine_unavailable", "The web engine's sidecar is not running.");
        await sidecar.RequestAsync("message.read", new JsonObject
        {
            ["sessionKey"] = session.SessionKey,
            ["messages"] = new JsonArray(new JsonObject { ["networkMessageId"] = message.NetworkMessageId, ["chat"] = WebContent.Digits(message.From) }),
        });
    }
}
