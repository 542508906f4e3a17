using System.Diagnostics;
using OpenTelemetry.Trace;

namespace OrleansSaas.Observability;

/// <summary>
/// Traces start only at incoming HTTP requests; grain calls, timers and queries join the trace of the
/// request that caused them. Without this, membership heartbeats, timers and the silos' background
/// calls would each start a trace every few seconds and bury the request traces.
/// </summary>
public sealed class RequestRootedSampler : Sampler
{
    // The operation name ASP.NET Core gives the activity of each incoming request.
    private const string HttpRequestActivity = "Microsoft.AspNetCore.Hosting.HttpRequestIn";

    private static readonly SamplingResult Sample = new(SamplingDecision.RecordAndSample);
    private static readonly SamplingResult Skip = new(SamplingDecision.Drop);

    public override SamplingResult ShouldSample(in SamplingParameters parameters)
    {
        if (parameters.ParentContext.TraceId == default)
            return parameters.Name == HttpRequestActivity ? Sample : Skip;
        return parameters.ParentContext.TraceFlags.HasFlag(ActivityTraceFlags.Recorded) ? Sample : Skip;
    }
}
