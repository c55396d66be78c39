using AiStudio.Core.Identity;
using AiStudio.Web.Components.Account;
using Microsoft.AspNetCore.Identity;

namespace AiStudio.Web.Email;

internal static class EmailRegistration
{
    /// <summary>The SMTP sender when Email:Smtp:Host is set, else the template's no-op sender.</summary>
    /// <returns>Whether email is sent, and so whether accounts must be confirmed.</returns>
    public static bool AddAccountEmail(this IServiceCollection services, IConfiguration configuration)
    {
        var smtp = SmtpSettings.Read(configuration);
        if (smtp.IsConfigured)
        {
            services.AddSingleton(smtp);
            services.AddSingleton<IEmailSender<ApplicationUser>, SmtpEmailSender>();
        }
        else
        {
            services.AddSingleton<IEmailSender<ApplicationUser>, IdentityNoOpEmailSender>();
        }

        return smtp.IsConfigured;
    }
}
