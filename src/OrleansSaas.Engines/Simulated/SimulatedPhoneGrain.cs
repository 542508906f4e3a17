using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Contracts.Simulation;
using OrleansSaas.Data.Simulation;

namespace OrleansSaas.Engines.Simulated;

[GenerateSerializer, Alias("sim-phone-state")]
public sealed class SimulatedPhoneState
{
    /// <summary>The session (linked device) that receives this number's messages; null for a plain phone.</summary>
    [Id(0)] public string? LinkedSessionKey { get; set; }
    [Id(1)] public byte[]? CredentialHash { get; set; }
    [Id(2)] public string? ProfileName { get; set; }
}

/// <summary>
/// A number on the simulated network. Messages for it are kept in sim_network_messages until its linked
/// session has stored them, so neither a dead silo nor an offline session loses one; the message id is the
/// network's duplicate filter. A number without a linked session behaves like a phone: it takes the message.
/// </summary>
public sealed class SimulatedPhoneGrain(
    [PersistentState("phone")] IPersistentState<SimulatedPhoneState> phone,
    SimulatedNetworkStore network,
    IOptions<SimulatorOptions> options,
    ILogger<SimulatedPhoneGrain> logger) : Grain, ISimulatedPhoneGrain
{
    private const int PendingBatch = 100;
    private bool _flushing;
    private bool _flushRequested;
    private IGrainTimer? _redelivery;
    // True after a flush read the pending messages to their end and delivered them all with nothing accepted meanwhile;
    // while it holds, newly accepted messages wait in _fresh and are delivered from there without reading them back.
    private bool _caughtUp;
    private readonly Queue<SimulatedEnvelope> _fresh = new();

    private string Number => this.GetPrimaryKeyString();

    public Task<PairOutcome> ScanQr(string qrValue, string profileName) =>
        SimulatedQr.TryReadSessionKey(qrValue, out var sessionKey)
            ? PairAsync(sessionKey, qrValue, profileName)
            : Task.FromResult(PairOutcome.InvalidQr);

    public Task<PairOutcome> EnterPairingCode(string sessionKey, string code, string profileName) => PairAsync(sessionKey, code, profileName);

    /// <summary>Links the session that showed <paramref name="pairingToken"/> (a QR value or a pairing code) and hands it device credentials.</summary>
    private async Task<PairOutcome> PairAsync(string sessionKey, string pairingToken, string profileName)
    {
        // A number has one linked device. Linking another session of the same tenant replaces it (the old one is
        // logged out, as WhatsApp does); another tenant's session is refused, so no tenant can take a number's traffic.
        var previous = phone.State.LinkedSessionKey;
        if (previous is not null && previous != sessionKey && !SameTenant(previous, sessionKey)) return PairOutcome.LinkedToAnotherTenant;
        var credentials = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var accepted = await GrainFactory.GetGrain<ISessionEngineEvents>(sessionKey).OnPaired(pairingToken, Number, profileName, credentials);
        if (!accepted) return PairOutcome.Rejected;

        phone.State.LinkedSessionKey = sessionKey;
        phone.State.CredentialHash = Hash(credentials);
        phone.State.ProfileName = profileName;
        await phone.WriteStateAsync();
        if (previous is not null && previous != sessionKey)
            await GrainFactory.GetGrain<ISessionEngineEvents>(previous).OnLoggedOutRemotely("linked_elsewhere");
        RequestFlush();
        return PairOutcome.Paired;
    }

    public Task<LinkOutcome> Link(string sessionKey, string credentials)
    {
        var valid = phone.State.LinkedSessionKey == sessionKey && phone.State.CredentialHash is { } hash
            && CryptographicOperations.FixedTimeEquals(hash, Hash(credentials));
        if (!valid) return Task.FromResult(LinkOutcome.Revoked);
        RequestFlush();
        return Task.FromResult(LinkOutcome.Linked);
    }

    public async Task Unlink(string sessionKey)
    {
        if (phone.State.LinkedSessionKey != sessionKey) return;
        phone.State.LinkedSessionKey = null;
        phone.State.CredentialHash = null;
        await phone.WriteStateAsync();
    }

    public async Task Accept(SimulatedEnvelope envelope)
    {
        bool accepted;
        try
        {
            accepted = await network.TryAcceptAsync(envelope);
        }
        catch
        {
            // The insert may have committed before its answer was lost with the connection: read the store back.
            RequestFlush();
            throw;
        }
        // A resend of a known id is not stored twice. It may be the resend of an accept whose answer was lost, so
        // the pending messages are read back from the store rather than trusted to memory.
        if (accepted && _caughtUp) _fresh.Enqueue(envelope);
        RequestFlush(fromDatabase: !accepted);
    }

    public Task Typing(string fromNumber, DateTimeOffset until) =>
        phone.State.LinkedSessionKey is { } linked ? GrainFactory.GetGrain<ISessionEngineEvents>(linked).OnTyping(fromNumber, until) : Task.CompletedTask;

    public async Task MarkRead(string networkMessageId, string fromNumber)
    {
        if (await network.FindSenderSessionAsync(networkMessageId, Number) is { } sender)
            await GrainFactory.GetGrain<ISessionEngineEvents>(sender).OnReceipt(networkMessageId, MessageStatus.Read, DateTimeOffset.UtcNow);
    }

    // Flushing runs outside the request that asked for it: the session we deliver to may itself be
    // waiting on this grain (a reconnect calls Link), and awaiting it here would deadlock both.
    private void RequestFlush(bool fromDatabase = true)
    {
        if (fromDatabase) Forget();
        _flushRequested = true;
        if (!_flushing) _ = FlushAsync();
    }

    private async Task FlushAsync()
    {
        _flushing = true;
        try
        {
            while (_flushRequested)
            {
                _flushRequested = false;
                if (_caughtUp)
                {
                    while (_fresh.TryDequeue(out var envelope))
                    {
                        if (await DeliverAsync(envelope)) continue;
                        Forget();
                        return;
                    }
                    continue;
                }
                IReadOnlyList<SimulatedEnvelope> pending;
                do
                {
                    pending = await network.ListPendingAsync(Number, PendingBatch);
                    foreach (var envelope in pending)
                    {
                        // A linked session that is not connected takes messages again when it links (reconnects).
                        if (!await DeliverAsync(envelope)) return;
                    }
                } while (pending.Count == PendingBatch);
                _caughtUp = !_flushRequested;
            }
        }
        catch (Exception error)
        {
            Forget();
            logger.LogWarning(error, "Delivery to {Number} failed; retrying later", Number);
            ScheduleRedelivery();
        }
        finally
        {
            _flushing = false;
        }
    }

    private async Task<bool> DeliverAsync(SimulatedEnvelope envelope)
    {
        if (phone.State.LinkedSessionKey is { } sessionKey)
        {
            var inbound = new InboundMessage(envelope.MessageId, envelope.FromNumber, envelope.Content, envelope.SentAt);
            if (!await GrainFactory.GetGrain<ISessionEngineEvents>(sessionKey).OnInbound(inbound)) return false;
        }
        var sender = GrainFactory.GetGrain<ISessionEngineEvents>(envelope.FromSessionKey);
        // As on WhatsApp, a reaction only ever gets "sent". Otherwise the message stays pending until the sender
        // has its receipt, so a sender whose silo dies meanwhile still gets it (the recipient drops the repeat).
        if (envelope.Content.Type != "reaction") await sender.OnReceipt(envelope.MessageId, MessageStatus.Delivered, DateTimeOffset.UtcNow);
        await network.MarkDeliveredAsync(envelope.MessageId);
        if (envelope.Content.Type == "reaction") return true;
        // A linked session reads through the API (mark as read); a plain phone's user reads by itself.
        if (phone.State.LinkedSessionKey is null && options.Value.ReadDelay > TimeSpan.Zero) _ = SendReadReceiptLaterAsync(sender, envelope.MessageId);
        return true;
    }

    private async Task SendReadReceiptLaterAsync(ISessionEngineEvents sender, string messageId)
    {
        await Task.Delay(options.Value.ReadDelay);
        await sender.OnReceipt(messageId, MessageStatus.Read, DateTimeOffset.UtcNow);
    }

    /// <summary>The next flush reads the pending messages from the database (what is in memory is also there).</summary>
    private void Forget()
    {
        _caughtUp = false;
        _fresh.Clear();
    }

    private void ScheduleRedelivery()
    {
        _redelivery?.Dispose();
        _redelivery = this.RegisterGrainTimer(() =>
        {
            RequestFlush();
            return Task.CompletedTask;
        }, options.Value.RedeliveryInterval, Timeout.InfiniteTimeSpan);
    }

    private static bool SameTenant(string sessionKey, string otherSessionKey) =>
        SessionKey.Parse(sessionKey).TenantId == SessionKey.Parse(otherSessionKey).TenantId;

    private static byte[] Hash(string credentials) => SHA256.HashData(Encoding.UTF8.GetBytes(credentials));
}
