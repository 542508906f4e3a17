using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.Tenants;
using OrleansSaas.Gateway.Problems;

namespace OrleansSaas.Gateway.Auth;

/// <summary>
/// Authenticates tenant requests by API key (X-Api-Key, or Authorization: Bearer). The key's grain holds
/// the secret's hash and answers with the tenant, the key's scopes and the tenant's status (see
/// <see cref="ApiKeyVerifier"/> for the cache); callers that keep failing are held back by <see cref="AuthFailureThrottle"/>.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyVerifier verifier,
    AuthFailureThrottle throttle,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string TenantClaim = "tenant";
    /// <summary>The id of the key that authenticated the request (per-key limits and auditing key on it).</summary>
    public const string KeyClaim = "key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey();
        if (presented is null) return AuthenticateResult.NoResult();
        var client = Context.Connection.RemoteIpAddress;
        if (!ApiKeyFormat.TryParse(presented, out var keyId, out var secretHash))
        {
            if (throttle.RetryAfter(client, null) is { } wait) return AuthenticateResult.Fail(new ThrottledException(wait));
            throttle.RecordFailure(client, null);
            return AuthenticateResult.Fail("Malformed API key.");
        }

        var key = new PresentedApiKey(keyId, secretHash);
        // Cached answers cost nothing; only what would reach the key's grain is held back and counted.
        if (!verifier.TryGetCached(key, out var grant))
        {
            if (throttle.RetryAfter(client, key) is { } wait) return AuthenticateResult.Fail(new ThrottledException(wait));
            grant = await verifier.VerifyAsync(key);
            if (grant is null) throttle.RecordFailure(client, keyId);
            else throttle.RecordSuccess(key);
        }
        if (grant is null) return AuthenticateResult.Fail("Unknown or revoked API key.");
        // Long-lived responses re-check the key with it (see CredentialWatch).
        Context.Features.Set(key);
        // Not authenticated at all, so no route can let it through; the challenge explains it with a 403.
        if (grant.TenantStatus == TenantStatus.Suspended) return AuthenticateResult.Fail(new TenantSuspendedException());

        var claims = grant.Scopes.Select(scope => new Claim(Scopes.ClaimType, scope))
            .Prepend(new Claim(KeyClaim, keyId))
            .Prepend(new Claim(TenantClaim, grant.TenantId));
        var identity = new ClaimsIdentity(claims, SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure;
        if (failure is ThrottledException throttled)
        {
            await Problem.RateLimited(Response, throttled.RetryAfter, "Too many failed authentications; retry after the Retry-After delay.").ExecuteAsync(Context);
            return;
        }
        if (failure is TenantSuspendedException)
        {
            Response.StatusCode = 403;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = Context,
                ProblemDetails = new ProblemDetails
                {
                    Status = 403, Type = ProblemTypes.TenantSuspended, Title = "The tenant is suspended",
                    Detail = "Every API key of a suspended tenant is refused until an operator resumes the tenant.",
                },
            });
            return;
        }
        Response.StatusCode = 401;
        Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = 401, Type = ProblemTypes.Unauthorized, Title = "A valid API key is required",
                Detail = "Send the key in the X-Api-Key header or as Authorization: Bearer <key>.",
            },
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = 403;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = 403, Type = ProblemTypes.Forbidden, Title = "The API key lacks a scope this request needs",
                Detail = "Issue a key with the required scope.",
            },
        });
    }

    /// <summary>The authentication failure of a valid key whose tenant is suspended.</summary>
    private sealed class TenantSuspendedException() : Exception("The API key's tenant is suspended.");

    /// <summary>The authentication failure of a caller held back for failing too often.</summary>
    private sealed class ThrottledException(TimeSpan retryAfter) : Exception("Too many failed authentications.")
    {
        public TimeSpan RetryAfter { get; } = retryAfter;
    }

    private string? PresentedKey()
    {
        if (Request.Headers.TryGetValue("X-Api-Key", out var header) && !string.IsNullOrWhiteSpace(header)) return header.ToString().Trim();
        var authorization = Request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }
}

public static class TenantPrincipal
{
    /// <summary>The authenticated tenant; endpoints behind RequireAuthorization always have one.</summary>
    public static string TenantId(this ClaimsPrincipal user) =>
        user.FindFirstValue(ApiKeyAuthenticationHandler.TenantClaim) ?? throw new InvalidOperationException("No tenant on an authenticated request.");
}
