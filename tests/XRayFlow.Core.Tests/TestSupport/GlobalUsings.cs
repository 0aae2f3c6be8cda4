// Shared fixtures and runners (EngineFixtures, OpRunner, PictureFixtures, TestNpy, VectorWidths) for every test folder.
global using XRayFlow.Core.Tests.TestSupport;
