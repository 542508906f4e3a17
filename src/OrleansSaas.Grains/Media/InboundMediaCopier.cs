using System.Text.Json.Nodes;
using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Data.Media;
using OrleansSaas.Engines;

namespace OrleansSaas.Grains.Media;

/// <summary>
/// Inbound media is fetched from the network once, when the message arrives, and kept in the receiving
/// tenant's media store like an upload: the network's copy may expire, the tenant's does not.
/// </summary>
public sealed class InboundMediaCopier(MediaStore media)
{
    /// <summary>The message's details with the network's media id replaced by the tenant's own (or removed when the network has lost it).</summary>
    public async Task<string?> StoreAsync(string tenantId, IWhatsAppEngine engine, EngineSession session, MessageContent content)
    {
        if (content.Details is null || JsonNode.Parse(content.Details) is not JsonObject details
            || details["mediaId"]?.GetValue<string>() is not { } networkId || KindOf(content.Type) is not { } kind)
            return content.Details;

        var fetched = await engine.DownloadMediaAsync(session, networkId);
        if (fetched is null)
        {
            details.Remove("mediaId");
            details["mediaUnavailable"] = true;
            return details.ToJsonString();
        }
        await using (fetched.Content)
            details["mediaId"] = await media.SaveInboundAsync(tenantId, kind, fetched.MimeType, fetched.FileName, fetched.Content);
        return details.ToJsonString();
    }

    private static MediaKind? KindOf(string type) => type switch
    {
        "image" => MediaKind.Image,
        "video" => MediaKind.Video,
        "audio" or "voice" => MediaKind.Audio,
        "document" => MediaKind.Document,
        "sticker" => MediaKind.Sticker,
        _ => null,
    };
}
