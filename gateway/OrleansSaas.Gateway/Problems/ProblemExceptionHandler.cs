using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Orleans.Runtime.Messaging;
using OrleansSaas.Contracts.Cluster;

namespace OrleansSaas.Gateway.Problems;

/// <summary>
/// Turns what escapes an endpoint into problem+json: unreadable bodies are the client's fault (4xx naming
/// the field where the JSON reader knows it); a cluster that cannot answer right now is a 503 with Retry-After.
/// </summary>
public sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException { InnerException: JsonException json } => MalformedJson(json),
            BadHttpRequestException bad => Unreadable(bad),
            ClusterFullException full => Unavailable(context, ProblemTypes.CapacityExhausted, "The cluster is at capacity", full.Message),
            _ when DatabaseFailure.IsInChain(exception) =>
                Unavailable(context, ProblemTypes.Unavailable, "The database is not available right now", "Retry after the delay in the Retry-After header (a send with the same Idempotency-Key is never sent twice)."),
            // ConnectionFailedException: the silo this gateway reached the cluster through has just died; a cancellation the
            // client did not ask for: a grain call cut short in a silo (seen while a dead silo's grains are revived).
            SiloUnavailableException or TimeoutException or OrleansMessageRejectionException or ConnectionFailedException or OperationCanceledException
                when exception is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested =>
                Unavailable(context, ProblemTypes.Unavailable, "The cluster is not available right now", "Retry after the delay in the Retry-After header."),
            _ => null,
        };
        if (problem is null)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            problem = new ProblemDetails { Status = 500, Type = ProblemTypes.Internal, Title = "Internal error" };
        }
        context.Response.StatusCode = problem.Status ?? 500;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails MalformedJson(JsonException json)
    {
        var field = FieldName(json.Path);
        var problem = new ProblemDetails
        {
            Status = 400, Type = ProblemTypes.MalformedBody, Title = "The request body is not valid JSON for this operation",
            Detail = $"{field}: {Describe(json)}",
        };
        problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [Describe(json)] };
        return problem;
    }

    private static ProblemDetails Unreadable(BadHttpRequestException bad)
    {
        var problem = new ProblemDetails { Status = bad.StatusCode, Type = ProblemTypes.MalformedBody, Title = "The request could not be read", Detail = bad.Message };
        if (bad.StatusCode != StatusCodes.Status400BadRequest) return problem;
        // Binding failures name the parameter: 'Failed to bind parameter "int? limit" from "abc".'
        var parameter = BoundParameter().Match(bad.Message);
        var field = parameter.Success ? parameter.Groups[1].Value : "body";
        var message = parameter.Success ? "has the wrong type." : "a JSON object is required.";
        problem.Detail = $"{field}: {message}";
        problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [message] };
        return problem;
    }

    [GeneratedRegex("parameter \"(?:[^\"]* )?([A-Za-z0-9_]+)\"")]
    private static partial Regex BoundParameter();

    // "$.to" → "to"; "$" (or unknown) → "body".
    private static string FieldName(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    private static string Describe(JsonException json) =>
        json is Json.NumberOutOfRangeException ? "must be a finite number within range."
        : json.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "unknown field."
        : json.Message.Contains("could not be converted", StringComparison.Ordinal) ? "has the wrong type."
        : "is not valid JSON.";

    private static ProblemDetails Unavailable(HttpContext context, string type, string title, string detail)
    {
        context.Response.Headers.RetryAfter = "5";
        return new ProblemDetails { Status = 503, Type = type, Title = title, Detail = detail };
    }
}
