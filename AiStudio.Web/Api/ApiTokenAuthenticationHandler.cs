using AiStudio.Core.Persistence;
using System.Security.Claims;
using System.Text.Encodings.Web;
using AiStudio.Core.ApiTokens;
using AiStudio.Core.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace AiStudio.Web.Api;

/// <summary>
/// Authenticates <c>Authorization: Bearer ast_…</c> against the stored token hashes. A failed or missing
/// token is answered with a 401 problem, never a redirect to the login page.
/// </summary>
internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IApiTokenService tokens,
    UserManager<ApplicationUser> users) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";
    public const string TokenIdClaim = "aistudio:api_token_id";
    private const string BearerPrefix = "Bearer ";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("The Authorization header must be \"Bearer <token>\".");
        }

        try
        {
            return await AuthenticateTokenAsync(header[BearerPrefix.Length..].Trim());
        }
        catch (Exception e) when (DatabaseFailure.Is(e))
        {
            // The challenge answers 503 in words: the token may be fine, the database could not be asked.
            return AuthenticateResult.Fail(e);
        }
    }

    private async Task<AuthenticateResult> AuthenticateTokenAsync(string presented)
    {
        var owner = await tokens.AuthenticateAsync(presented, Context.RequestAborted);
        if (owner is null)
        {
            return AuthenticateResult.Fail("The API token is not valid or has been revoked.");
        }

        List<Claim> claims =
        [
            new Claim(ClaimTypes.NameIdentifier, owner.UserId),
            new Claim(ClaimTypes.Name, owner.UserName),
            new Claim(TokenIdClaim, owner.TokenId.ToString()),
        ];

        // A locked account's tokens stop working with its sign-in; read on each call, like the roles below.
        if (await users.FindByIdAsync(owner.UserId) is not { } user || await users.IsLockedOutAsync(user))
        {
            return AuthenticateResult.Fail("The account that owns this API token is locked.");
        }

        // The same roles as the user's cookie, read on each call, so a promotion or demotion applies at once.
        claims.AddRange((await users.GetRolesAsync(user)).Select(role => new Claim(ClaimTypes.Role, role)));

        var identity = new ClaimsIdentity(claims, Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (result.Failure is { } failure && DatabaseFailure.Is(failure))
        {
            await ApiProblems.DatabaseUnavailable(failure).ExecuteAsync(Context);
            return;
        }

        var detail = result.Failure?.Message ?? "Send an API token in the Authorization header: \"Bearer ast_…\". Create one under Account → API tokens.";
        Response.Headers[HeaderNames.WWWAuthenticate] = result.Failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized").ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden").ExecuteAsync(Context);
}
