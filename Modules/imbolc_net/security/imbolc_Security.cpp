namespace imbolc::net
{

} // namespace imbolc::net
