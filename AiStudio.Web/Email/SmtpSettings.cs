namespace AiStudio.Web.Email;

/// <summary>Email:Smtp. With no Host, AiStudio sends no email and accounts need no confirmation.</summary>
public sealed class SmtpSettings
{
    public const string SectionKey = "Email:Smtp";

    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public string? User { get; set; }
    public string? Password { get; set; }
    public string? From { get; set; }
    public bool EnableSsl { get; set; } = true;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);

    public static SmtpSettings Read(IConfiguration configuration) =>
        configuration.GetSection(SectionKey).Get<SmtpSettings>() ?? new SmtpSettings();
}
