namespace XRayFlow.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("xrayflow: not yet implemented");
        return 2;
    }
}
