using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.Tenants;
using OrleansSaas.Gateway.Problems;

namespace OrleansSaas.Gateway.Auth;

/// <summary>
/// Authenticates tenant requests by API key (X-Api-Key, or Authorization: Bearer). The key's grain holds
/// the secret's hash and answers with the tenant, the key's scopes and the tenant's status; answers are
/// cached briefly so a busy client does not call the grain per request. That cache is also the bound on how
/// long a revoked key, or a suspended or deleted tenant's key, keeps working.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IClusterClient cluster,
    IMemoryCache cache,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string TenantClaim = "tenant";
    /// <summary>The id of the key that authenticated the request (per-key limits and auditing key on it).</summary>
    public const string KeyClaim = "key";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey();
        if (presented is null) return AuthenticateResult.NoResult();
        if (!ApiKeyFormat.TryParse(presented, out var keyId, out var secretHash)) return AuthenticateResult.Fail("Malformed API key.");

        var cacheKey = $"apikey:{keyId}:{Convert.ToHexString(secretHash)}";
        if (!cache.TryGetValue(cacheKey, out ApiKeyGrant? grant))
        {
            grant = await cluster.GetGrain<IApiKeyGrain>(keyId).Authenticate(secretHash);
            cache.Set(cacheKey, grant, CacheFor);
        }
        if (grant is null) return AuthenticateResult.Fail("Unknown or revoked API key.");
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
        if ((await HandleAuthenticateOnceSafeAsync()).Failure is TenantSuspendedException)
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
