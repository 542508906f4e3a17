using System.Text.Json.Nodes;
using OrleansSaas.Contracts.Sessions;

namespace OrleansSaas.Engines.Simulated;

/// <summary>
/// On the simulated network, uploaded media is served from the sending tenant's media store: the network's
/// media id names the tenant and its media id, the way a real network hands out its own media ids.
/// </summary>
public static class SimulatedMedia
{
    private const string Prefix = "sim-media:";

    /// <summary>Rewrites an outbound message's mediaId (the tenant's) into the network's media id.</summary>
    public static string? ToNetwork(string sessionKey, string? details)
    {
        if (details is null || JsonNode.Parse(details) is not JsonObject json || json["mediaId"]?.GetValue<string>() is not { } mediaId) return details;
        json["mediaId"] = $"{Prefix}{SessionKey.Parse(sessionKey).TenantId}/{mediaId}";
        return json.ToJsonString();
    }

    public static bool TryParse(string networkMediaId, out string tenantId, out string mediaId)
    {
        tenantId = mediaId = "";
        if (!networkMediaId.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var slash = networkMediaId.IndexOf('/', Prefix.Length);
        if (slash < 0) return false;
        tenantId = networkMediaId[Prefix.Length..slash];
        mediaId = networkMediaId[(slash + 1)..];
        return tenantId.Length > 0 && mediaId.Length > 0;
    }
}
