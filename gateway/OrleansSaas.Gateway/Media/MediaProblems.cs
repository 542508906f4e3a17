using Microsoft.AspNetCore.Http.HttpResults;
using OrleansSaas.Gateway.Problems;

namespace OrleansSaas.Gateway.Media;

/// <summary>Problems only the media API has; field errors otherwise use <see cref="Problem.Invalid(string, string)"/>.</summary>
public static class MediaProblems
{
    public const string QuotaExceededType = "https://orleanssaas.dev/problems/quota-exceeded";

    /// <summary>413 naming the field, with the same <c>errors</c> shape as a validation problem.</summary>
    public static ProblemHttpResult TooLarge(string field, string message) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, type: ProblemTypes.Validation, title: "The file is too large",
            detail: $"{field}: {message}", extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });

    public static ProblemHttpResult QuotaExceeded(long size, long usedBytes, long quotaBytes) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, type: QuotaExceededType, title: "Media storage quota exceeded",
            detail: $"Storing {size} more bytes would exceed the tenant's media quota: {usedBytes} of {quotaBytes} bytes are in use. Delete media to free space.",
            extensions: new Dictionary<string, object?> { ["size"] = size, ["usedBytes"] = usedBytes, ["quotaBytes"] = quotaBytes });
}
