using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.Engines;
using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Data.Media;
using OrleansSaas.Data.Messaging;

namespace OrleansSaas.Engines.CloudApi;

/// <summary>
/// Meta's WhatsApp Business Cloud API: sends over HTTPS with the session's token, receives through the
/// gateway's webhook endpoint (CloudApiWebhookReceiverGrain). The session's settings are its credentials;
/// they live sealed in the engine's own state, cached here while the session is active on this silo.
/// </summary>
public sealed class CloudApiEngine(
    GraphClient graph,
    IEngineStateStore states,
    CloudApiWebhookStore hooks,
    MediaStore media,
    MessageStore messages,
    IOptions<CloudApiOptions> options,
    ILogger<CloudApiEngine> logger) : IWhatsAppEngine
{
    public const string EngineName = "cloud_api";
    private static readonly TimeSpan MediaKept = TimeSpan.FromDays(29); // Meta keeps uploads 30 days
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);

    private static readonly EngineDescriptor Description = new(
        EngineName, "WhatsApp Cloud API",
        "Meta's official WhatsApp Business Cloud API: a business number from a Meta app, sending over the Graph API and receiving through a webhook.",
        Pairing: [],
        MessageTypes: ["text", "image", "video", "audio", "voice", "document", "sticker", "location", "contacts", "reaction", "buttons", "list", "template"],
        SettingsField: CloudApiSettings.Field,
        Settings:
        [
            new("phoneNumberId", "string", true, false, "The number's Phone number ID (WhatsApp > API Setup in the app dashboard)."),
            new("accessToken", "string", true, true, "A system user's permanent access token with whatsapp_business_messaging (Business settings > System users)."),
            new("appSecret", "string", true, true, "The app's App secret (App settings > Basic); verifies the X-Hub-Signature-256 of webhooks."),
            new("verifyToken", "string", true, true, "Any string you choose; enter the same one with the webhook URL in the app dashboard."),
            new("wabaId", "string", false, false, "The WhatsApp Business Account ID (optional; for account-level calls)."),
        ],
        // 80 messages/s per number; pair rate 1 per 6 s per recipient with bursts to 45.
        DefaultPacing: new EnginePacing(80, 6000, 45),
        CustomerServiceWindow: TimeSpan.FromHours(24),
        WindowFreeTypes: ["template"],
        UserIdPeers: true);

    private readonly ConcurrentDictionary<string, CloudApiAccount> _accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _throttled = new(StringComparer.Ordinal);

    public EngineDescriptor Descriptor => Description;

    public IReadOnlyList<SettingError> CheckSettings(string? settingsJson)
    {
        var errors = new List<SettingError>();
        CloudApiSettings.Read(settingsJson, update: false, errors);
        return errors;
    }

    public async Task<EngineSetup> InitializeAsync(EngineSession session, string? settingsJson)
    {
        var values = CloudApiSettings.Read(settingsJson, update: false, []);
        var account = new CloudApiAccount
        {
            PhoneNumberId = values["phoneNumberId"],
            AccessToken = values["accessToken"],
            AppSecret = values["appSecret"],
            VerifyToken = values["verifyToken"],
            WabaId = values.GetValueOrDefault("wabaId"),
            // 128 random bits: the URL names no tenant or session and cannot be guessed.
            HookId = "wh_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
        };
        await SaveAsync(session, account);
        await hooks.CreateHookAsync(account.HookId, session.SessionKey);
        return new EngineSetup($"{options.Value.PublicGatewayUrl.TrimEnd('/')}/v1/cloud-api/webhooks/{account.HookId}");
    }

    public async Task<IReadOnlyList<SettingError>> UpdateSettingsAsync(EngineSession session, string settingsJson)
    {
        var errors = new List<SettingError>();
        var values = CloudApiSettings.Read(settingsJson, update: true, errors);
        if (errors.Count > 0) return errors;
        var account = await LoadAsync(session, fresh: true);
        account.AccessToken = values.GetValueOrDefault("accessToken") ?? account.AccessToken;
        account.AppSecret = values.GetValueOrDefault("appSecret") ?? account.AppSecret;
        account.VerifyToken = values.GetValueOrDefault("verifyToken") ?? account.VerifyToken;
        account.WabaId = values.GetValueOrDefault("wabaId") ?? account.WabaId;
        await SaveAsync(session, account);
        return [];
    }

    public async Task<ConnectionChange> ConnectAsync(EngineSession session, string? credentials)
    {
        // Always read afresh: the session may come from another silo, where the token may have been rotated.
        var account = await LoadAsync(session, fresh: true);
        var reply = await graph.GetAsync($"{account.PhoneNumberId}?fields=id,display_phone_number,verified_name,quality_rating,status,throughput", account.AccessToken);
        if (reply.Error is { } error) return ConnectionFor(error) ?? ConnectionChange.Transient("connect_failed", error.ToString());
        var status = (string?)reply.Body?["status"];
        var display = (string?)reply.Body?["display_phone_number"];
        var phone = display is null ? null : "+" + new string(display.Where(char.IsAsciiDigit).ToArray());
        // A reply without a status is taken as usable (the field is version-dependent).
        if (status is null || string.Equals(status, "CONNECTED", StringComparison.OrdinalIgnoreCase))
            return ConnectionChange.Connected(phone, (string?)reply.Body?["verified_name"]);
        return new ConnectionChange(ConnectionState.Disconnected, status.ToLowerInvariant(), $"The number's status is {status}.", phone);
    }

    /// <summary>The connection consequence of an error, or null when it is not about the account.</summary>
    private static ConnectionChange? ConnectionFor(GraphError error) => GraphErrors.Classify(error.Code) switch
    {
        GraphErrorKind.AuthFailed => new ConnectionChange(ConnectionState.Disconnected, "auth_failed", error.ToString()),
        GraphErrorKind.Banned => new ConnectionChange(ConnectionState.Banned, "banned", error.ToString()),
        GraphErrorKind.Failed => new ConnectionChange(ConnectionState.Disconnected, "rejected", error.ToString()),
        _ => null,
    };

    public string CreatePairingQr(EngineSession session) => throw new NotSupportedException("Cloud API sessions pair by their settings.");

    public string CreatePairingCode(EngineSession session, string phoneNumber) => throw new NotSupportedException("Cloud API sessions pair by their settings.");

    public async Task<SendOutcome> SendAsync(EngineSession session, OutboundMessage message)
    {
        var account = await LoadAsync(session);
        string? graphMediaId = null;
        if (MediaId(message.Content) is { } ourMediaId)
        {
            var uploaded = await UploadAsync(session, account, ourMediaId);
            if (uploaded.Error is { } uploadError) return OutcomeFor(session, message, uploadError);
            graphMediaId = uploaded.GraphId;
            if (graphMediaId is null) return new SendOutcome(SendResult.Rejected, Error: "media_unavailable: the media was deleted before it could be sent.");
        }
        var reply = await graph.PostAsync($"{account.PhoneNumberId}/messages", account.AccessToken, GraphMessages.Build(message, graphMediaId));
        if (reply.Error is { } error) return OutcomeFor(session, message, error);
        _throttled.TryRemove(session.SessionKey, out _);
        _throttled.TryRemove(RecipientKey(session, message.To), out _);
        return new SendOutcome(SendResult.Sent, NetworkId: (string?)reply.Body?["messages"]?[0]?["id"]);
    }

    private SendOutcome OutcomeFor(EngineSession session, OutboundMessage message, GraphError error)
    {
        switch (GraphErrors.Classify(error.Code))
        {
            case GraphErrorKind.Throttled:
                return new SendOutcome(SendResult.Retry, RetryAfter: Backoff(session.SessionKey, TimeSpan.FromSeconds(1), 2));
            case GraphErrorKind.RecipientThrottled:
                return new SendOutcome(SendResult.RetryRecipient, RetryAfter: Backoff(RecipientKey(session, message.To), TimeSpan.FromSeconds(1), 4));
            case GraphErrorKind.Transient:
                return new SendOutcome(SendResult.Retry, RetryAfter: Backoff(session.SessionKey, TimeSpan.FromSeconds(1), 2));
            case GraphErrorKind.AuthFailed or GraphErrorKind.Banned:
                logger.LogWarning("Session {SessionKey}: the Graph API refused the account ({Code})", session.SessionKey, error.Code);
                return new SendOutcome(SendResult.Disconnected, Connection: ConnectionFor(error));
            default:
                return new SendOutcome(SendResult.Rejected, Error: error.ToString());
        }
    }

    /// <summary>first × factor^n for the n-th failure in a row (4^n s for the pair rate), capped.</summary>
    private TimeSpan Backoff(string key, TimeSpan first, double factor)
    {
        var attempt = _throttled.AddOrUpdate(key, 0, (_, n) => n + 1);
        var delay = first * Math.Pow(factor, Math.Min(attempt, 10));
        return delay > MaxBackoff ? MaxBackoff : delay;
    }

    private static string RecipientKey(EngineSession session, string to) => $"{session.SessionKey}\n{to}";

    private static string? MediaId(MessageContent content) =>
        content.Type is "image" or "video" or "document" or "audio" or "voice" or "sticker" && content.Details is { } details
            ? (string?)JsonNode.Parse(details)?["mediaId"]
            : null;

    /// <summary>Our media uploaded once per 29 days; the Graph id is remembered in the engine state.</summary>
    private async Task<(string? GraphId, GraphError? Error)> UploadAsync(EngineSession session, CloudApiAccount account, string mediaId)
    {
        if (account.Media.TryGetValue(mediaId, out var known) && known.UploadedAt + MediaKept > DateTimeOffset.UtcNow) return (known.GraphId, null);
        if (await media.OpenAsync(session.TenantId, mediaId) is not var (view, stream)) return (null, null);
        GraphReply reply;
        await using (stream)
            reply = await graph.UploadAsync(account.PhoneNumberId, account.AccessToken, stream, view.MimeType, view.FileName ?? mediaId);
        if (reply.Error is { } error) return (null, error);
        var graphId = (string?)reply.Body?["id"] ?? throw new InvalidOperationException("The media upload answered no id.");
        foreach (var stale in account.Media.Where(m => m.Value.UploadedAt + MediaKept <= DateTimeOffset.UtcNow).Select(m => m.Key).ToList())
            account.Media.Remove(stale);
        account.Media[mediaId] = new UploadedMedia(graphId, DateTimeOffset.UtcNow);
        await SaveAsync(session, account);
        return (graphId, null);
    }

    public async Task<InboundMedia?> DownloadMediaAsync(EngineSession session, string networkMediaId)
    {
        var account = await LoadAsync(session);
        var reply = await graph.GetAsync(Uri.EscapeDataString(networkMediaId), account.AccessToken);
        if (reply.Error is not null || (string?)reply.Body?["url"] is not { } url) return null;
        if (await graph.DownloadAsync(url, account.AccessToken) is not var (mimeType, content)) return null;
        return new InboundMedia((string?)reply.Body?["mime_type"] ?? mimeType, null, content);
    }

    /// <summary>The Cloud API shows typing as part of marking the peer's last message read.</summary>
    public async Task SendTypingAsync(EngineSession session, string to, DateTimeOffset until)
    {
        var key = Contracts.Sessions.SessionKey.Parse(session.SessionKey);
        if (await messages.LastInboundAsync(key.TenantId, key.SessionId, to) is not { } last) return;
        var account = await LoadAsync(session);
        await ThrowOnErrorAsync(graph.PostAsync($"{account.PhoneNumberId}/messages", account.AccessToken, new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["status"] = "read",
            ["message_id"] = last.NetworkId,
            ["typing_indicator"] = new JsonObject { ["type"] = "text" },
        }));
    }

    public async Task MarkReadAsync(EngineSession session, ReadMarker message)
    {
        var account = await LoadAsync(session);
        await ThrowOnErrorAsync(graph.PostAsync($"{account.PhoneNumberId}/messages", account.AccessToken, new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["status"] = "read",
            ["message_id"] = message.NetworkMessageId,
        }));
    }

    private static async Task ThrowOnErrorAsync(Task<GraphReply> call)
    {
        if ((await call).Error is { } error) throw new InvalidOperationException($"The Graph API refused the call: {error}");
    }

    /// <summary>A Cloud API number has no device link to drop; logging out only stops using it.</summary>
    public Task LogoutAsync(EngineSession session)
    {
        _accounts.TryRemove(session.SessionKey, out _);
        return Task.CompletedTask;
    }

    public async Task DeleteAsync(EngineSession session)
    {
        _accounts.TryRemove(session.SessionKey, out _);
        await hooks.DeleteSessionAsync(session.SessionKey);
        await states.DeleteAsync(session.SessionKey);
    }

    private async Task<CloudApiAccount> LoadAsync(EngineSession session, bool fresh = false)
    {
        if (!fresh && _accounts.TryGetValue(session.SessionKey, out var cached)) return cached;
        var json = await states.LoadAsync(session.SessionKey) ?? throw new InvalidOperationException($"Session {session.SessionKey} has no Cloud API settings.");
        var account = CloudApiAccount.FromJson(json);
        _accounts[session.SessionKey] = account;
        return account;
    }

    private async Task SaveAsync(EngineSession session, CloudApiAccount account)
    {
        await states.SaveAsync(session.SessionKey, EngineName, account.ToJson());
        _accounts[session.SessionKey] = account;
    }
}
