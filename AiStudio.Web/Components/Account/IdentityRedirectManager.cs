using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using AiStudio.Core.Identity;

namespace AiStudio.Web.Components.Account;

internal sealed class IdentityRedirectManager(NavigationManager navigationManager)
{
    public const string StatusCookieName = "Identity.StatusMessage";

    private static readonly CookieBuilder StatusCookieBuilder = new()
    {
        SameSite = SameSiteMode.Strict,
        HttpOnly = true,
        IsEssential = true,
        MaxAge = TimeSpan.FromSeconds(5),
    };

    public void RedirectTo(string? uri) => navigationManager.NavigateTo(LocalOrHome(uri, navigationManager.BaseUri));

    /// <summary>
    /// <paramref name="uri"/> when it stays on this site, else "" (the home page). A ReturnUrl comes from whoever
    /// made the link: another site, a scheme, a protocol-relative <c>//host</c> or a <c>/\host</c> that browsers read
    /// as one, or control characters, all send the person home instead of elsewhere (or to an error page).
    /// </summary>
    /// <param name="baseUri">The app's absolute base address; an absolute <paramref name="uri"/> under it is kept.</param>
    public static string LocalOrHome(string? uri, string? baseUri = null)
    {
        if (string.IsNullOrEmpty(uri) || uri.Any(c => char.IsControl(c) || c == '\\'))
        {
            return "";
        }

        if (uri.StartsWith('/'))
        {
            return uri.StartsWith("//", StringComparison.Ordinal) ? "" : uri;
        }

        // A relative path ("Account/Manage", "builds?x=1"): no scheme before its first slash, query or fragment.
        var firstPart = uri.Split('/', '?', '#')[0];
        if (!firstPart.Contains(':'))
        {
            return uri;
        }

        return baseUri is not null
            && Uri.TryCreate(uri, UriKind.Absolute, out var absolute)
            && Uri.TryCreate(baseUri, UriKind.Absolute, out var root)
            && absolute.Scheme == root.Scheme
            && string.Equals(absolute.Authority, root.Authority, StringComparison.OrdinalIgnoreCase)
            && absolute.AbsolutePath.StartsWith(root.AbsolutePath, StringComparison.Ordinal)
                ? absolute.PathAndQuery[root.AbsolutePath.Length..] + absolute.Fragment
                : "";
    }

    public void RedirectTo(string uri, Dictionary<string, object?> queryParameters)
    {
        var uriWithoutQuery = navigationManager.ToAbsoluteUri(uri).GetLeftPart(UriPartial.Path);
        var newUri = navigationManager.GetUriWithQueryParameters(uriWithoutQuery, queryParameters);
        RedirectTo(newUri);
    }

    public void RedirectToWithStatus(string uri, string message, HttpContext context)
    {
        context.Response.Cookies.Append(StatusCookieName, message, StatusCookieBuilder.Build(context));
        RedirectTo(uri);
    }

    private string CurrentPath => navigationManager.ToAbsoluteUri(navigationManager.Uri).GetLeftPart(UriPartial.Path);

    public void RedirectToCurrentPage() => RedirectTo(CurrentPath);

    public void RedirectToCurrentPageWithStatus(string message, HttpContext context)
        => RedirectToWithStatus(CurrentPath, message, context);

    public void RedirectToInvalidUser(UserManager<ApplicationUser> userManager, HttpContext context)
        => RedirectToWithStatus("Account/InvalidUser", $"Error: Unable to load user with ID '{userManager.GetUserId(context.User)}'.", context);
}
