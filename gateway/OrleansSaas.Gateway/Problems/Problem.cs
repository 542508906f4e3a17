using Microsoft.AspNetCore.Http.HttpResults;

namespace OrleansSaas.Gateway.Problems;

/// <summary>The gateway's error replies, all problem+json with a stable type.</summary>
public static class Problem
{
    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(statusCode: 404, type: ProblemTypes.NotFound, title: "Not found", detail: $"{what} does not exist.");

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: 409, type: ProblemTypes.SessionState, title: "Not possible in the session's current state", detail: detail);

    public static ProblemHttpResult QuotaExceeded(string detail) =>
        TypedResults.Problem(statusCode: 403, type: ProblemTypes.QuotaExceeded, title: "The tenant's plan limit is reached", detail: detail);

    /// <summary>429 with Retry-After in whole seconds (rounded up, at least 1).</summary>
    public static ProblemHttpResult RateLimited(HttpResponse response, TimeSpan retryAfter, string detail)
    {
        response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: 429, type: ProblemTypes.RateLimited, title: "Too many requests", detail: detail);
    }

    public static ValidationProblem Invalid(string field, string message) => Invalid(new FieldErrors().Add(field, message));

    /// <summary>422: the field is well-formed but names something that cannot be used (e.g. a silo that is not active).</summary>
    public static ProblemHttpResult Unprocessable(string field, string message) =>
        TypedResults.Problem(statusCode: 422, type: ProblemTypes.Validation, title: "The request has invalid fields", detail: $"{field}: {message}",
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });

    /// <summary>409: the cluster cannot do this right now (e.g. no other silo to move sessions to).</summary>
    public static ProblemHttpResult ClusterConflict(string detail) =>
        TypedResults.Problem(statusCode: 409, type: ProblemTypes.ClusterState, title: "Not possible in the cluster's current state", detail: detail);

    public static ValidationProblem Invalid(FieldErrors errors) =>
        TypedResults.ValidationProblem(errors.ToDictionary(), type: ProblemTypes.Validation, title: "The request has invalid fields",
            detail: string.Join(" ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
}

/// <summary>Validation errors keyed by the JSON name of the field they concern.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public FieldErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
        return this;
    }

    public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
}
