using OrleansSaas.Contracts.Quotas;
using OrleansSaas.Contracts.Tenants;
using OrleansSaas.Data.Sessions;

namespace OrleansSaas.Grains.Quotas;

[GenerateSerializer, Alias("tenant-quota-state")]
public sealed class TenantQuotaState
{
    [Id(0)] public bool Initialised { get; set; }
    [Id(1)] public HashSet<string> Sessions { get; set; } = [];
}

/// <summary>
/// Session slots are persisted (a slot is held for the session's lifetime); the message rate is a token
/// bucket in memory (refilled at the plan's messages per minute), which restarts full after a failover;
/// each silo leases its messages in batches (TokenLease) rather than calling here for every one.
/// The plan is read from the tenant grain and refreshed every few seconds, so an upgrade applies quickly.
/// </summary>
public sealed class TenantQuotaGrain(
    [PersistentState("quota")] IPersistentState<TenantQuotaState> quota,
    SessionRegistry registry,
    TimeProvider clock) : Grain, ITenantQuotaGrain
{
    private static readonly TimeSpan PlanRefresh = TimeSpan.FromSeconds(5);
    private TenantPlan _plan = TenantPlan.Default;
    private DateTimeOffset _planReadAt = DateTimeOffset.MinValue;
    private TokenBucket? _messages;

    private string TenantId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (quota.State.Initialised) return;
        // Sessions created before this grain first ran still occupy their slots.
        quota.State.Sessions = [.. await registry.ListIdsAsync(TenantId)];
        quota.State.Initialised = true;
        await quota.WriteStateAsync();
    }

    public async Task<bool> TryReserveSession(string sessionId)
    {
        if (quota.State.Sessions.Contains(sessionId)) return true;
        var plan = await PlanAsync();
        if (quota.State.Sessions.Count >= plan.MaxSessions) return false;
        quota.State.Sessions.Add(sessionId);
        await quota.WriteStateAsync();
        return true;
    }

    public async Task ReleaseSession(string sessionId)
    {
        if (quota.State.Sessions.Remove(sessionId)) await quota.WriteStateAsync();
    }

    public async Task<TokenGrant> LeaseMessages(int wanted, int returned)
    {
        var plan = await PlanAsync();
        _messages ??= new TokenBucket(plan.MessagesPerMinute, clock);
        return _messages.Lease(wanted, returned, plan.MessagesPerMinute, plan.MessagesPerMinute / 60.0);
    }

    private async Task<TenantPlan> PlanAsync()
    {
        if (clock.GetUtcNow() - _planReadAt < PlanRefresh) return _plan;
        _plan = (await GrainFactory.GetGrain<ITenantGrain>(TenantId).Get())?.Plan ?? _plan;
        _planReadAt = clock.GetUtcNow();
        return _plan;
    }
}
