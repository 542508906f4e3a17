using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OrleansSaas.Gateway.Problems;

namespace OrleansSaas.Gateway.Admin;

public sealed class AdminOptions
{
    public const string Section = "Admin";
    public const int MinimumKeyLength = 32;

    /// <summary>The operators' credential for /v1/admin. When unset, the admin API refuses every request.</summary>
    public string? ApiKey { get; set; }

    public bool Enabled => !string.IsNullOrEmpty(ApiKey);
}

/// <summary>
/// Authenticates operators by the admin key (X-Admin-Key, or Authorization: Bearer). It is its own scheme,
/// used only by the admin policy, so a tenant key never counts on admin routes and the admin key never
/// counts on tenant routes.
/// </summary>
public sealed class AdminKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptionsMonitor<AdminOptions> admin,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AdminKey";
    public const string Policy = "admin";
    public const string Role = "admin";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var configured = admin.CurrentValue.ApiKey;
        var presented = PresentedKey();
        if (string.IsNullOrEmpty(configured) || presented is null) return Task.FromResult(AuthenticateResult.NoResult());
        // Hashing first makes the comparison fixed-time whatever the lengths.
        if (!CryptographicOperations.FixedTimeEquals(Hash(presented), Hash(configured)))
            return Task.FromResult(AuthenticateResult.Fail("Wrong admin key."));
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Role, Role)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = 401;
        Response.Headers.WWWAuthenticate = "Bearer";
        var enabled = admin.CurrentValue.Enabled;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = 401, Type = ProblemTypes.Unauthorized,
                Title = enabled ? "A valid admin key is required" : "The admin API is disabled",
                Detail = enabled
                    ? "Send the admin key in the X-Admin-Key header or as Authorization: Bearer <key>."
                    : $"Set {AdminOptions.Section}:{nameof(AdminOptions.ApiKey)} on the gateway to enable it.",
            },
        });
    }

    private string? PresentedKey()
    {
        if (Request.Headers.TryGetValue("X-Admin-Key", out var header) && !string.IsNullOrWhiteSpace(header)) return header.ToString().Trim();
        var authorization = Request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
