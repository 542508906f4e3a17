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
/// the secret's hash; answers are cached briefly so a busy client does not call the grain per request.
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
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey();
        if (presented is null) return AuthenticateResult.NoResult();
        if (!ApiKeyFormat.TryParse(presented, out var keyId, out var secretHash)) return AuthenticateResult.Fail("Malformed API key.");

        var cacheKey = $"apikey:{keyId}:{Convert.ToHexString(secretHash)}";
        if (!cache.TryGetValue(cacheKey, out string? tenantId))
        {
            tenantId = await cluster.GetGrain<IApiKeyGrain>(keyId).Authenticate(secretHash);
            cache.Set(cacheKey, tenantId, CacheFor);
        }
        if (tenantId is null) return AuthenticateResult.Fail("Unknown API key.");

        var claims = Scopes.All.Select(scope => new Claim(Scopes.ClaimType, scope)).Prepend(new Claim(TenantClaim, tenantId));
        var identity = new ClaimsIdentity(claims, SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
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
