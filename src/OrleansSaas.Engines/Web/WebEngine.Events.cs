using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Contracts.Sessions;

namespace OrleansSaas.Engines.Web;

/// <summary>The sidecar's requests (auth state, stored messages) and events (lifecycle, inbound, receipts).</summary>
public sealed partial class WebEngine
{
    internal async Task<JsonObject> ServeAsync(string method, JsonObject parameters)
    {
        var sessionKey = (string?)parameters["sessionKey"] ?? throw new SidecarException("invalid_params", "sessionKey is required.", "sessionKey");
        switch (method)
        {
            case "auth.load":
                var wanted = new Dictionary<string, string[]>(StringComparer.Ordinal);
                if (parameters["keys"] is JsonObject keys)
                    foreach (var (type, ids) in keys)
                        wanted[type] = (ids as JsonArray ?? []).Select(id => (string)id!).ToArray();
                var result = new JsonObject { ["keys"] = await auth.LoadKeysAsync(sessionKey, wanted) };
                if ((bool?)parameters["creds"] == true) result["creds"] = await auth.LoadCredsAsync(sessionKey);
                return result;
            case "auth.set":
                var batch = new List<(string, string, string?)>();
                if (parameters["data"] is JsonObject data)
                    foreach (var (type, entries) in data)
                        foreach (var (keyId, value) in entries as JsonObject ?? [])
                            batch.Add((type, keyId, (string?)value));
                await auth.SetKeysAsync(sessionKey, batch);
                return [];
            case "creds.save":
                await auth.SaveCredsAsync(sessionKey, (string?)parameters["creds"] ?? throw new SidecarException("invalid_params", "creds is required.", "creds"));
                return [];
            case "message.get":
                var id = (string?)parameters["key"]?["id"];
                var stored = id is null ? null : await auth.FindMessageAsync(sessionKey, id);
                return new JsonObject { ["raw"] = stored?.Raw };
            default:
                throw new SidecarException("unknown_method", $"The silo serves no {method}.");
        }
    }

    internal void OnSidecarEvent(string name, JsonObject parameters)
    {
        if ((string?)parameters["sessionKey"] is not { } sessionKey)
        {
            logger.LogWarning("Web sidecar reported {Event}: {Code}", name, (string?)parameters["code"]);
            return;
        }
        var link = Link(sessionKey);
        if (name == "connection")
        {
            logger.LogInformation("Web session {SessionKey}: connection {State} {Reason}, reconnect in {ReconnectInMs} ms", sessionKey,
                (string?)parameters["state"], (string?)parameters["reason"], (int?)parameters["reconnectInMs"]);
            link.Connection(Change(parameters));
        }
        lock (link.Gate) link.Chain = link.Chain.ContinueWith(_ => HandleAsync(sessionKey, name, parameters)).Unwrap();
    }

    /// <summary>The sidecar died: every web session it held here is disconnected until it is back (the grains retry).</summary>
    internal void OnSidecarLost()
    {
        var lost = ConnectionChange.Transient("engine_unavailable", "The web engine's sidecar stopped; it is being restarted.");
        foreach (var (sessionKey, link) in _links)
        {
            if (link.Sidecar is null) continue;
            link.Forget();
            lock (link.Gate) link.Chain = link.Chain.ContinueWith(_ => Events(sessionKey).OnConnectionChanged(lost)).Unwrap();
        }
    }

    private ISessionEngineEvents Events(string sessionKey) => grains.GetGrain<ISessionEngineEvents>(sessionKey);

    private async Task HandleAsync(string sessionKey, string name, JsonObject parameters)
    {
        try
        {
            var events = Events(sessionKey);
            switch (name)
            {
                case "qr":
                    await events.OnQrUpdated((string)parameters["qr"]!, DateTimeOffset.UtcNow.AddSeconds(20));
                    break;
                case "pairing.code":
                    var settings = await SettingsAsync(sessionKey);
                    await events.OnPairingCodeUpdated((string)parameters["code"]!, settings.PhoneNumber ?? "", DateTimeOffset.UtcNow.AddMinutes(2));
                    break;
                case "connection":
                    var change = Change(parameters);
                    if (change.State == ConnectionState.LoggedOut)
                    {
                        // The phone unlinked this device: its keys are worthless now.
                        if (_links.TryGetValue(sessionKey, out var link)) link.Forget();
                        await auth.DeleteAsync(sessionKey);
                    }
                    await events.OnConnectionChanged(change);
                    break;
                case "message.inbound":
                    await InboundAsync(sessionKey, events, parameters);
                    break;
                case "receipt":
                    await ReceiptAsync(events, parameters);
                    break;
                case "error":
                    await events.OnEngineError((string?)parameters["code"] ?? "error", (string?)parameters["message"] ?? "");
                    break;
            }
        }
        catch (Exception error)
        {
            logger.LogWarning(error, "Session {SessionKey}: the sidecar's {Event} could not be handled", sessionKey, name);
        }
    }

    private static ConnectionChange Change(JsonObject parameters)
    {
        var reason = (string?)parameters["reason"];
        var code = (int?)parameters["code"];
        var details = code is null ? null : $"WhatsApp closed the socket with status {code}.";
        return (string?)parameters["state"] switch
        {
            "connected" => ConnectionChange.Connected(
                (string?)parameters["phoneNumber"] is { Length: > 0 } digits ? "+" + WebContent.Digits(digits) : null, (string?)parameters["pushName"]),
            "logged_out" => new ConnectionChange(ConnectionState.LoggedOut, reason ?? "logged_out", details),
            // Without reconnectInMs the sidecar gave the session up (replaced, bad session, pairing timed out): wait for the user.
            _ => new ConnectionChange(ConnectionState.Disconnected, reason ?? "disconnected", details, RetryLater: parameters["reconnectInMs"] is not null),
        };
    }

    private async Task InboundAsync(string sessionKey, ISessionEngineEvents events, JsonObject inbound)
    {
        var networkId = (string)inbound["networkMessageId"]!;
        if ((bool?)inbound["fromMe"] == true) return; // sent from the phone itself: not a message to this session
        if (WebContent.FromSidecar(inbound) is not { } content)
        {
            logger.LogInformation("Session {SessionKey}: an inbound message of a kind we do not keep was skipped", sessionKey);
            return;
        }
        if ((string?)inbound["raw"] is { } raw) await auth.SaveMessageAsync(sessionKey, networkId, fromMe: false, raw);
        var sender = (string?)inbound["fromAlt"] ?? (string?)inbound["from"] ?? (string?)inbound["chatAlt"] ?? (string)inbound["chat"]!;
        var at = DateTimeOffset.FromUnixTimeSeconds((long?)inbound["timestamp"] ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        // Retried while the session is not connected yet (a message can arrive as the socket opens).
        for (var attempt = 0; attempt < 5; attempt++)
        {
            if (await events.OnInbound(new InboundMessage(networkId, "+" + WebContent.Digits(sender.Split('@')[0].Split(':')[0]), content, at))) return;
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        logger.LogWarning("Session {SessionKey}: inbound message {NetworkId} was not taken (session not connected)", sessionKey, networkId);
    }

    private static async Task ReceiptAsync(ISessionEngineEvents events, JsonObject receipt)
    {
        // Group receipts per member do not move the message as a whole.
        if (receipt["recipient"] is not null) return;
        var status = (string?)receipt["status"] switch
        {
            "sent" => MessageStatus.Sent,
            "delivered" => MessageStatus.Delivered,
            "read" => MessageStatus.Read,
            _ => (MessageStatus?)null,
        };
        if (status is not { } known) return;
        // The session applies a receipt only if it ranks above the stored status: never backwards.
        if ((string?)receipt["messageId"] is { } messageId) await events.OnReceipt(messageId, known, DateTimeOffset.UtcNow);
        else await events.OnDeliveryReport(new DeliveryReport((string)receipt["networkMessageId"]!, known, DateTimeOffset.UtcNow));
    }
}
