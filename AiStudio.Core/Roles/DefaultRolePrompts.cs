namespace AiStudio.Core.Roles;

public static class DefaultRolePrompts
{
    public static string For(AiRole role) => $"You are the {role.DisplayName()} of AiStudio.";
}
