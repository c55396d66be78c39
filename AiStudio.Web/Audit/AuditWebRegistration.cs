using AiStudio.Core.Identity;
using Microsoft.AspNetCore.Identity;

namespace AiStudio.Web.Audit;

internal static class AuditWebRegistration
{
    /// <summary>Call after Identity is added: this sign-in manager replaces Identity's own, to audit sign-ins.</summary>
    public static IServiceCollection AddAuditWeb(this IServiceCollection services)
    {
        services.AddScoped<SignInManager<ApplicationUser>, AuditingSignInManager>();
        return services;
    }
}
