namespace AiStudio.Core.ApiTokens;

public static class ApiTokenAuditActions
{
    public const string Created = "api-token.created";
    public const string Revoked = "api-token.revoked";
}
