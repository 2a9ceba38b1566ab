# tools/register
