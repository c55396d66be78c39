using System.Security.Claims;
using AiStudio.Core.Common;

namespace AiStudio.Web.Artifacts;

/// <summary>The request's signed-in user as an <see cref="Actor"/>, by the same rule as <c>CurrentActor</c> uses for circuits.</summary>
internal static class HttpActor
{
    public static Actor? From(HttpContext context)
    {
        var user = context.User;
        if (user.FindFirstValue(ClaimTypes.NameIdentifier) is not { } id)
        {
            return null;
        }

        var name = user.Identity?.Name ?? id;
        var admins = context.RequestServices.GetRequiredService<IConfiguration>().GetSection("Admin:Emails").Get<string[]>() ?? [];
        return new Actor(id, name, admins.Contains(name, StringComparer.OrdinalIgnoreCase));
    }
}
