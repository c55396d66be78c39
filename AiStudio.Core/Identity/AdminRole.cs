namespace AiStudio.Core.Identity;

/// <summary>The Identity role whose members are administrators (besides the addresses in Admin:Emails).</summary>
public static class AdminRole
{
    public const string Name = "Admin";
    public const string NormalizedName = "ADMIN";
}
