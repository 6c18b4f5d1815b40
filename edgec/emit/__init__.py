"""Writing what a build produces: the flatbuffer as a C array for firmware builds."""
