using OrleansSaas.Contracts.CloudApi;
using OrleansSaas.Gateway.Problems;

namespace OrleansSaas.Gateway.CloudApi;

/// <summary>
/// Where Meta calls a Cloud API session: GET for the verify handshake, POST for events. No API key: the verify
/// token and the X-Hub-Signature-256 (checked by the silo against the session's app secret) are the proof. The
/// 200 goes out only once the body is stored; processing is asynchronous.
/// </summary>
public static class CloudApiWebhookEndpoints
{
    private const int MaxBody = 1024 * 1024;

    public static void MapCloudApiWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/cloud-api/webhooks").WithTags("Cloud API webhooks").ProducesCommonProblems().AllowAnonymous();
        group.MapGet("/{hookId}", Verify).Produces<string>(200, "text/plain").ProducesProblem(403);
        group.MapPost("/{hookId}", Receive).Produces(200).ProducesProblem(401);
    }

    private static async Task<IResult> Verify(string hookId, HttpRequest request, IClusterClient cluster)
    {
        var query = request.Query;
        var challenge = await cluster.GetGrain<ICloudApiWebhookReceiverGrain>(0)
            .Verify(hookId, query["hub.mode"], query["hub.verify_token"], query["hub.challenge"]);
        return challenge is null
            ? TypedResults.Problem(statusCode: 403, type: ProblemTypes.Forbidden, title: "Verification refused",
                detail: "hub.mode must be subscribe and hub.verify_token the session's verify token.")
            : TypedResults.Text(challenge, "text/plain");
    }

    private static async Task<IResult> Receive(string hookId, HttpRequest request, IClusterClient cluster)
    {
        // The signature covers the exact bytes Meta sent, so the body is read raw, never re-serialised.
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        if (buffer.Length > MaxBody) return TypedResults.Problem(statusCode: 413, type: ProblemTypes.MalformedBody, title: "Body too large");
        var intake = await cluster.GetGrain<ICloudApiWebhookReceiverGrain>(0)
            .Receive(hookId, buffer.ToArray(), request.Headers["X-Hub-Signature-256"].FirstOrDefault());
        return intake switch
        {
            WebhookIntake.Stored => TypedResults.Ok(),
            WebhookIntake.BadSignature => TypedResults.Problem(statusCode: 401, type: ProblemTypes.Unauthorized, title: "Bad signature",
                detail: "X-Hub-Signature-256 is missing or is not the HMAC-SHA256 of the body with the app secret."),
            _ => Problem.NotFound($"Webhook '{hookId}'"),
        };
    }
}
