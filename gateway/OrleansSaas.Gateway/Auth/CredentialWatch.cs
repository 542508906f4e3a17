using System.Collections.Concurrent;
using OrleansSaas.Contracts.Tenants;

namespace OrleansSaas.Gateway.Auth;

/// <summary>
/// A response that stays open (the event stream, any future websocket) outlives the authentication that let it
/// start. Every request authenticated by an API key is registered here while it runs; one sweep re-asks the key's
/// grain for those open longer than <see cref="CheckEvery"/> and ends them when the key is revoked or its tenant
/// suspended or deleted: their RequestAborted token fires (a stream ends cleanly), and a handler that ignores it has
/// its connection aborted shortly after. Short requests finish long before their first check and cost a dictionary entry.
/// </summary>
public sealed class CredentialWatch(ApiKeyVerifier verifier, ILogger<CredentialWatch> logger) : BackgroundService
{
    /// <summary>Below the authentication cache's 5 s, so an open response ends about as soon as a new request would be refused.</summary>
    public static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<Watched, byte> _open = new();

    private sealed class Watched(HttpContext context, PresentedApiKey key, CancellationTokenSource revoked)
    {
        public HttpContext Context { get; } = context;
        public PresentedApiKey Key { get; } = key;
        public CancellationTokenSource Revoked { get; } = revoked;
        public DateTimeOffset NextCheck { get; set; } = DateTimeOffset.UtcNow + CheckEvery;
    }

    /// <summary>Middleware, after authentication.</summary>
    public async Task WatchAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<PresentedApiKey>() is not { } key || context.User.Identity?.IsAuthenticated != true)
        {
            await next(context);
            return;
        }
        using var revoked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        context.RequestAborted = revoked.Token;
        var watched = new Watched(context, key, revoked);
        _open[watched] = 0;
        try
        {
            await next(context);
        }
        finally
        {
            _open.TryRemove(watched, out _);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SweepInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = DateTimeOffset.UtcNow;
            var due = _open.Keys.Where(w => w.NextCheck <= now).ToList();
            foreach (var watched in due) watched.NextCheck = now + CheckEvery;
            await Task.WhenAll(due.Select(CheckAsync));
        }
    }

    private async Task CheckAsync(Watched watched)
    {
        ApiKeyGrant? grant;
        try
        {
            grant = await verifier.VerifyAsync(watched.Key);
        }
        catch (Exception error)
        {
            // The cluster cannot answer right now: the response keeps going, and the next sweep asks again.
            logger.LogWarning(error, "Could not re-check API key {KeyId} of an open response", watched.Key.KeyId);
            return;
        }
        if (grant is not null && grant.TenantStatus == TenantStatus.Active) return;

        logger.LogInformation("Closing an open response of API key {KeyId}: the key is revoked or its tenant is no longer active", watched.Key.KeyId);
        try
        {
            await watched.Revoked.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            return; // the request had just finished
        }
        _ = AbortIfStillOpenAsync(watched);
    }

    private async Task AbortIfStillOpenAsync(Watched watched)
    {
        await Task.Delay(AbortGrace);
        if (_open.ContainsKey(watched)) watched.Context.Abort();
    }
}
