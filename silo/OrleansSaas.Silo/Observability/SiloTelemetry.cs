using System.Diagnostics;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Grains.Sessions;
using OrleansSaas.Observability;

namespace OrleansSaas.Silo.Observability;

public static class SiloTelemetry
{
    /// <summary>The shared telemetry set-up, plus trace context carried through grain calls and session calls marked with their tenant and session.</summary>
    public static IHostApplicationBuilder AddSiloTelemetry(this IHostApplicationBuilder builder)
    {
        builder.AddOrleansSaasTelemetry("silo");
        // Registered in this order so the session filter runs inside the span the propagation filter starts.
        builder.UseOrleans(silo => silo
            .AddActivityPropagation()
            .AddIncomingGrainCallFilter<SessionCallTelemetry>());
        return builder;
    }
}

/// <summary>Every call into a session grain (API calls, engine events, reminders) is traced and logged with its tenant and session.</summary>
public sealed class SessionCallTelemetry(ILogger<SessionCallTelemetry> logger) : IIncomingGrainCallFilter
{
    // Every grain call passes here: calls to other grains go straight through.
    public Task Invoke(IIncomingGrainCallContext context) => context.Grain is SessionGrain ? InvokeInContextAsync(context) : context.Invoke();

    private async Task InvokeInContextAsync(IIncomingGrainCallContext context)
    {
        var (tenantId, sessionId) = SessionKey.Parse(context.TargetId.Key.ToString()!);
        using (WorkContext.Enter(logger, Activity.Current, tenantId, sessionId))
            await context.Invoke();
    }
}
