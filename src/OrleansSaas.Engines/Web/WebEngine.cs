using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.Engines;
using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Data.Media;

namespace OrleansSaas.Engines.Web;

/// <summary>
/// WhatsApp's multi-device web protocol (a phone links this session as a companion device) through Baileys in the
/// silo's sidecar. The sidecar holds the sockets; the keys stay in PostgreSQL (<see cref="WebAuthStore"/>). News from
/// the sidecar reaches each session's grain in order (<see cref="WebSessionEvents"/>).
/// </summary>
public sealed partial class WebEngine(
    SidecarSupervisor supervisor,
    WebAuthStore auth,
    IEngineStateStore states,
    MediaStore media,
    WebMediaLinks links,
    IGrainFactory grains,
    IOptions<WebEngineOptions> options,
    ILogger<WebEngine> logger) : IWhatsAppEngine
{
    public const string EngineName = "web";

    private static readonly EngineDescriptor Description = new(
        EngineName, "WhatsApp Web (multi-device)",
        "Links a phone's WhatsApp as a companion device by QR code or pairing code, like WhatsApp Web; runs Baileys in a sidecar of each silo.",
        Pairing: ["qr", "pairing_code"],
        MessageTypes: ["text", "image", "video", "audio", "voice", "document", "sticker", "location", "contacts", "reaction"],
        SettingsField: WebSettings.Field,
        Settings:
        [
            new("phoneNumber", "string", false, false, "The phone's number (E.164): a pairing code is asked for by itself after the first QR code."),
            new("typingBeforeSend", "boolean", false, false, "Show 'typing…' for a moment before each message, as a person would."),
        ],
        // A linked phone is a personal account: bursts get numbers banned. One message a second (plus jitter in the
        // engine) and 3 s between two messages to the same person is what careful users of these tools run.
        DefaultPacing: new EnginePacing(1, 3000, 1));

    private readonly ConcurrentDictionary<string, WebLink> _links = new(StringComparer.Ordinal);
    private WebEngineOptions Options => options.Value;

    public EngineDescriptor Descriptor => Description;

    public bool QrFromNetwork => true;

    public IReadOnlyList<SettingError> CheckSettings(string? settingsJson)
    {
        var errors = new List<SettingError>();
        WebSettings.Read(settingsJson, errors);
        return errors;
    }

    public async Task<EngineSetup> InitializeAsync(EngineSession session, string? settingsJson)
    {
        await states.SaveAsync(session.SessionKey, EngineName, WebSettings.Read(settingsJson, []).ToJson());
        return new EngineSetup(null);
    }

    public async Task<IReadOnlyList<SettingError>> UpdateSettingsAsync(EngineSession session, string settingsJson)
    {
        var errors = new List<SettingError>();
        var settings = WebSettings.Read(settingsJson, errors);
        if (errors.Count > 0) return errors;
        await states.SaveAsync(session.SessionKey, EngineName, settings.ToJson());
        Link(session.SessionKey).Settings = settings;
        return [];
    }

    private async Task<WebSettings> SettingsAsync(string sessionKey)
    {
        var link = Link(sessionKey);
        return link.Settings ??= WebSettings.FromJson(await states.LoadAsync(sessionKey));
    }

    public Task BeginPairingAsync(EngineSession session) => StartAsync(session, pairing: true);

    public async Task<ConnectionChange> ConnectAsync(EngineSession session, string? credentials)
    {
        if (supervisor.Current is null) return ConnectionChange.Transient("engine_unavailable", "The web engine's sidecar is not running.");
        var link = Link(session.SessionKey);
        var news = link.NextConnection();
        bool alreadyStarted;
        try
        {
            alreadyStarted = await StartCoreAsync(session, null);
        }
        catch (SidecarException error)
        {
            return ConnectionChange.Transient(error.Code == "engine_unavailable" ? "engine_unavailable" : "connect_failed", error.Message);
        }
        if (alreadyStarted && link.LastConnection is { } last) return last;
        try
        {
            return await news.WaitAsync(Options.ConnectWait);
        }
        catch (TimeoutException)
        {
            return ConnectionChange.Transient("connecting", "The socket has not opened yet.");
        }
    }

    private async Task StartAsync(EngineSession session, bool pairing)
    {
        var settings = await SettingsAsync(session.SessionKey);
        await StartCoreAsync(session, pairing ? settings.PhoneNumber : null);
    }

    private async Task<bool> StartCoreAsync(EngineSession session, string? phoneNumber)
    {
        var sidecar = supervisor.Current ?? throw new SidecarException("engine_unavailable", "The web engine's sidecar is not running.");
        var parameters = new JsonObject { ["sessionKey"] = session.SessionKey };
        if (phoneNumber is not null) parameters["phoneNumber"] = WebContent.Digits(phoneNumber);
        var reply = await sidecar.RequestAsync("session.start", parameters);
        Link(session.SessionKey).Sidecar = sidecar;
        return (bool?)reply["alreadyStarted"] == true;
    }

    public string CreatePairingQr(EngineSession session) => throw new NotSupportedException("Web sessions get their QR codes from WhatsApp.");

    public string CreatePairingCode(EngineSession session, string phoneNumber) => throw new NotSupportedException("Web sessions get pairing codes from WhatsApp.");

    public async Task<string> RequestPairingCodeAsync(EngineSession session, string phoneNumber)
    {
        var sidecar = supervisor.Current ?? throw new SidecarException("engine_unavailable", "The web engine's sidecar is not running.");
        var reply = await sidecar.RequestAsync("pairing.code", new JsonObject { ["sessionKey"] = session.SessionKey, ["phoneNumber"] = WebContent.Digits(phoneNumber) },
            TimeSpan.FromSeconds(40));
        return (string)reply["code"]!;
    }

    public async Task ReleaseAsync(EngineSession session)
    {
        if (!_links.TryRemove(session.SessionKey, out var link) || link.Sidecar is not { } sidecar || sidecar != supervisor.Current) return;
        await sidecar.RequestAsync("session.stop", new JsonObject { ["sessionKey"] = session.SessionKey }, TimeSpan.FromSeconds(15));
    }

    public async Task LogoutAsync(EngineSession session)
    {
        try
        {
            if (supervisor.Current is { } sidecar)
                await sidecar.RequestAsync("session.logout", new JsonObject { ["sessionKey"] = session.SessionKey }, TimeSpan.FromSeconds(15));
        }
        finally
        {
            if (_links.TryGetValue(session.SessionKey, out var link)) link.Forget();
            await auth.DeleteAsync(session.SessionKey);
        }
    }

    public async Task DeleteAsync(EngineSession session)
    {
        _links.TryRemove(session.SessionKey, out _);
        await auth.DeleteAsync(session.SessionKey);
        await auth.DeleteMessagesAsync(session.SessionKey);
        await states.DeleteAsync(session.SessionKey);
    }

    private WebLink Link(string sessionKey) => _links.GetOrAdd(sessionKey, _ => new WebLink());
}

/// <summary>What the engine knows of one session's socket on this silo.</summary>
internal sealed class WebLink
{
    private TaskCompletionSource<ConnectionChange> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WebSettings? Settings { get; set; }
    /// <summary>The sidecar the session was started on (a restarted sidecar has none of its sessions).</summary>
    public SidecarConnection? Sidecar { get; set; }
    public ConnectionChange? LastConnection { get; private set; }
    /// <summary>Events of the session are handed to its grain one after another.</summary>
    public Task Chain { get; set; } = Task.CompletedTask;
    public readonly object Gate = new();

    public Task<ConnectionChange> NextConnection()
    {
        lock (Gate) return _next.Task;
    }

    public void Connection(ConnectionChange change)
    {
        lock (Gate)
        {
            LastConnection = change;
            _next.TrySetResult(change);
            _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Forget()
    {
        lock (Gate)
        {
            LastConnection = null;
            Sidecar = null;
        }
    }
}
