namespace imbolc::protocol
{

} // namespace imbolc::protocol
