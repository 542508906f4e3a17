using Npgsql;
using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Contracts.Simulation;
using OrleansSaas.Contracts.Tenants;
using OrleansSaas.Data.Events;
using OrleansSaas.Data.Messaging;
using OrleansSaas.Engines.Simulated;

namespace OrleansSaas.Testing;

/// <summary>A tenant made for a test, with a key of its own (its plain form, as the admin API shows it once).</summary>
public sealed record TestTenant(string Id, IssuedApiKey Key);

/// <summary>What a grain-level test does often: the same steps the gateway's endpoints take, as grain calls.</summary>
public static class SessionHelpers
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>A new tenant (the default plan unless given) and a key with the given scopes.</summary>
    public static async Task<TestTenant> CreateTenantAsync(this InProcessCluster cluster, TenantPlan? plan = null, params string[] scopes)
    {
        var id = $"ten_{Guid.CreateVersion7():N}";
        var tenant = cluster.Grains.GetGrain<ITenantGrain>(id);
        _ = await tenant.Create("test tenant", plan ?? TenantPlan.Default) ?? throw new InvalidOperationException($"Tenant {id} could not be created.");
        var key = await tenant.IssueApiKey(new ApiKeySpec("test key", scopes)) ?? throw new InvalidOperationException($"No key for tenant {id}.");
        return new TestTenant(id, key);
    }

    public static ISessionGrain Session(this InProcessCluster cluster, string sessionKey) => cluster.Grains.GetGrain<ISessionGrain>(sessionKey);

    /// <summary>Creates a session on the simulated engine (pairing starts at once); returns its key, tenant/session.</summary>
    public static async Task<string> CreateSessionAsync(this InProcessCluster cluster, string tenantId, string name = "test", SessionSettings? settings = null)
    {
        var key = SessionKey.Format(tenantId, $"ses_{Guid.CreateVersion7():N}");
        var reply = await cluster.Session(key).Create(new CreateSessionCommand(name, SimulatedEngine.EngineName, settings));
        if (reply.Error != SessionError.None) throw new InvalidOperationException($"Creating session {key} failed: {reply.Error}.");
        return key;
    }

    /// <summary>Scans the session's current QR code with the simulated phone <paramref name="phoneNumber"/>; returns the connected session.</summary>
    public static async Task<SessionView> PairAsync(this InProcessCluster cluster, string sessionKey, string phoneNumber)
    {
        var qr = await cluster.Session(sessionKey).GetQr();
        if (qr.Error != SessionError.None) throw new InvalidOperationException($"Session {sessionKey} shows no QR code: {qr.Error}.");
        var outcome = await cluster.Grains.GetGrain<ISimulatedPhoneGrain>(phoneNumber).ScanQr(qr.Qr!.Value, $"Phone {phoneNumber}");
        if (outcome != PairOutcome.Paired) throw new InvalidOperationException($"Scanning session {sessionKey}'s QR code: {outcome}.");
        var session = (await cluster.Session(sessionKey).Get())!;
        return session.Status == SessionStatus.Connected ? session : throw new InvalidOperationException($"Session {sessionKey} is {session.Status} after pairing.");
    }

    /// <summary>A new session of the tenant, paired with the simulated phone <paramref name="phoneNumber"/>; returns its key.</summary>
    public static async Task<string> CreatePairedSessionAsync(this InProcessCluster cluster, string tenantId, string phoneNumber, SessionSettings? settings = null)
    {
        var key = await cluster.CreateSessionAsync(tenantId, settings: settings);
        await cluster.PairAsync(key, phoneNumber);
        return key;
    }

    /// <summary>Sends a text message; returns it as accepted (queued). Throws when the session refuses it.</summary>
    public static async Task<MessageView> SendTextAsync(this InProcessCluster cluster, string sessionKey, string to, string text, string? idempotencyKey = null)
    {
        var reply = await cluster.Session(sessionKey).Send(new SendMessageCommand(to, MessageContent.PlainText(text), idempotencyKey));
        return reply.Error == SessionError.None ? reply.Message! : throw new InvalidOperationException($"Session {sessionKey} refused the message: {reply.Error}.");
    }

    /// <summary>Waits until the message has reached <paramref name="status"/> (or a later one); a failed message never does.</summary>
    public static Task<MessageView> WaitForStatusAsync(this InProcessCluster cluster, string sessionKey, string messageId, MessageStatus status, TimeSpan? timeout = null)
    {
        var (tenantId, sessionId) = SessionKey.Parse(sessionKey);
        return Eventually.Async(async () => (await cluster.Messages.GetAsync(tenantId, sessionId, messageId))!,
            m => m.Status != MessageStatus.Failed && m.Status >= status, timeout ?? Patience, $"message {messageId} to be {status}");
    }

    /// <summary>Sends a text message and waits for its receipt (delivered unless another status is asked for).</summary>
    public static async Task<MessageView> SendAndWaitAsync(this InProcessCluster cluster, string sessionKey, string to, string text, MessageStatus status = MessageStatus.Delivered)
    {
        var sent = await cluster.SendTextAsync(sessionKey, to, text);
        return await cluster.WaitForStatusAsync(sessionKey, sent.Id, status);
    }

    /// <summary>Every message of the session, newest first, as GET /v1/sessions/{id}/messages pages through them.</summary>
    public static async Task<List<MessageView>> ListMessagesAsync(this InProcessCluster cluster, string sessionKey, MessageDirection? direction = null)
    {
        var (tenantId, sessionId) = SessionKey.Parse(sessionKey);
        var all = new List<MessageView>();
        long? before = null;
        do
        {
            var page = await cluster.Messages.ListAsync(tenantId, sessionId, new MessageQuery(direction, before, 200));
            all.AddRange(page.Items);
            before = page.NextBefore;
        } while (before is not null);
        return all;
    }

    /// <summary>The tenant's event log in order (numbered events only, as the events endpoints serve it).</summary>
    public static async Task<List<StoredEvent>> ReadEventsAsync(this InProcessCluster cluster, string tenantId, EventFilter? filter = null, long afterSeq = 0)
    {
        var all = new List<StoredEvent>();
        while (true)
        {
            var page = await cluster.Events.ListAsync(tenantId, afterSeq, 500, filter);
            all.AddRange(page);
            if (page.Count < 500) return all;
            afterSeq = page[^1].Seq;
        }
    }

    /// <summary>
    /// Waits, without a call that would activate them, until the registry shows every session connected on a silo other
    /// than <paramref name="lostSilo"/> (failover brings them back by itself); returns each session's new host.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string>> WaitForSessionsBackAsync(this InProcessCluster cluster, IReadOnlyCollection<string> sessionKeys, string lostSilo, TimeSpan? timeout = null)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        return await Eventually.Async(async () =>
        {
            var hosts = new Dictionary<string, string>();
            await using var command = new NpgsqlCommand("SELECT tenant_id || '/' || session_id, host_silo FROM sessions WHERE status = 'connected' AND host_silo IS NOT NULL AND host_silo <> @lost", connection);
            command.Parameters.AddWithValue("lost", lostSilo);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                if (sessionKeys.Contains(reader.GetString(0))) hosts[reader.GetString(0)] = reader.GetString(1);
            return hosts;
        }, hosts => hosts.Count == sessionKeys.Count, timeout ?? TimeSpan.FromSeconds(60), $"{sessionKeys.Count} session(s) to reconnect off {lostSilo}");
    }
}
