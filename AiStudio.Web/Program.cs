using AiStudio.Core;
using AiStudio.Web;

var builder = WebApplication.CreateBuilder(args);

builder.AddAiStudioCore();
builder.AddAiStudioWeb();

var app = builder.Build();

app.UseAiStudioWeb();

app.Run();

public partial class Program;
